//! `docs/cli.md` is the command line's help as clap prints it, so the
//! usage text has one source (the argument structs in `src/cmd/`); rerun
//! with `UPDATE_GOLDEN=1` after changing an option.

use clap::CommandFactory;

fn reference() -> String {
    let mut cli = sbrt::cmd::Cli::command();
    cli.build();
    let mut out = String::from(
        "# Command line\n\nGenerated from the argument definitions in `src/cmd/` by `tests/cli_docs.rs`\n(`UPDATE_GOLDEN=1 cargo test --test cli_docs` rewrites it); `sbrt help COMMAND` prints the same.\n",
    );
    let names: Vec<String> = cli.get_subcommands().map(|c| c.get_name().to_string()).filter(|n| n != "help").collect();
    for name in names {
        let sub = cli.find_subcommand_mut(&name).expect("listed");
        let help = sub.render_long_help().to_string();
        let help: String = help.lines().map(|l| l.trim_end().to_string() + "\n").collect();
        out.push_str(&format!("\n## sbrt {name}\n\n```text\n{help}```\n"));
    }
    out
}

#[test]
fn docs_cli_md_is_the_help_clap_prints() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/cli.md");
    let got = reference();
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &got).unwrap();
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(got, want, "docs/cli.md is not the current help (rerun with UPDATE_GOLDEN=1)");
}
