# Reference values for the reviewer's analyses (competing risks, ...):
# `sbrt cuminc` against R's cmprsk 2.2 (cuminc, timepoints).
#
#     Rscript tests/reference/reviewer.R     # from the repository root
#
# Needs r-base-core, r-cran-survival, r-cran-cmprsk, r-cran-jsonlite (Debian).
# Writes tests/reference/data/competing.csv and tests/reference/reviewer.json
# (cases in the format of engine.json, replayed by tests/engine_reference.rs).

suppressPackageStartupMessages({ library(survival); library(cmprsk); library(jsonlite) })
Sys.setlocale("LC_COLLATE", "C")
dir <- "tests/reference/data"

# Competing risks: 3 groups, causes 1 and 2, times on a 0.5 grid (ties), strata.
set.seed(31)
n <- 400
group <- sample(c("a", "b", "c"), n, replace = TRUE)
stratum <- sample(c("s1", "s2"), n, replace = TRUE)
t1 <- rexp(n, c(a = 0.05, b = 0.08, c = 0.04)[group])
t2 <- rexp(n, 0.04)
tc <- runif(n, 2, 40)
time <- pmax(0.5, round(pmin(t1, t2, tc) * 2) / 2)
status <- ifelse(tc < pmin(t1, t2), 0, ifelse(t1 < t2, 1, 2))
cr <- data.frame(time = time, status = status, group = group, stratum = stratum)
cr$group[c(5, 99)] <- NA
write.csv(cr, file.path(dir, "competing.csv"), row.names = FALSE, na = "NA", quote = FALSE)
example <- read.csv(file.path(dir, "example_analysis.csv"))

num <- function(x) ifelse(is.finite(x), x, NA)
cases <- list()
add_case <- function(name, args, expected, ignore = character(0)) {
  cases[[length(cases) + 1]] <<- list(name = name, args = args, expected = expected, ignore = I(ignore))
}

cuminc_case <- function(name, data, file, time, status, cause = 1, group = NULL, strata = NULL, at = numeric(0), level = 0.95) {
  used <- data[complete.cases(data[, c(time, status, group, strata)]), ]
  g <- if (is.null(group)) rep("all", nrow(used)) else as.character(used[[group]])
  glev <- sort(unique(g))
  z <- qnorm(1 - (1 - level) / 2)
  groups <- lapply(glev, function(l) {
    sel <- g == l
    fit <- cuminc(used[[time]][sel], used[[status]][sel], cencode = 0)
    key <- paste("1", cause)
    cur <- fit[[key]]
    if (is.null(cur)) { steps <- list() } else {
      idx <- seq(3, length(cur$time) - 1, by = 2)
      steps <- lapply(idx, function(i) list(time = cur$time[i], estimate = cur$est[i], variance = cur$var[i]))
    }
    at_rows <- list()
    if (length(at)) {
      tp <- timepoints(fit, at)
      est <- if (is.null(cur)) ifelse(at > max(used[[time]][sel]), NA, 0) else tp$est[key, as.character(at)]
      vr <- if (is.null(cur)) ifelse(at > max(used[[time]][sel]), NA, 0) else tp$var[key, as.character(at)]
      at_rows <- lapply(seq_along(at), function(i) {
        f <- est[i]; se <- sqrt(vr[i])
        ok <- !is.na(f) && f > 0 && f < 1
        u <- if (ok) z * se / (f * abs(log(f))) else NA
        list(time = at[i], estimate = num(f), std_err = num(se),
             lower = if (ok) f^exp(u) else NA, upper = if (ok) f^exp(-u) else NA)
      })
    }
    list(group = l, n = sum(sel), events = sum(used[[status]][sel] == cause), steps = steps, at = at_rows)
  })
  test <- NULL
  if (length(glev) > 1) {
    fit <- if (is.null(strata)) cuminc(used[[time]], used[[status]], g, cencode = 0)
           else cuminc(used[[time]], used[[status]], g, used[[strata]], cencode = 0)
    tst <- fit$Tests[as.character(cause), ]
    test <- list(chisq = tst[["stat"]], df = tst[["df"]], p = tst[["pv"]])
  }
  args <- c("cuminc", file.path(dir, paste0(file, ".csv")), "--time", time, "--status", status, "--cause", cause)
  if (!is.null(group)) args <- c(args, "--group", group)
  if (!is.null(strata)) args <- c(args, "--strata", strata)
  if (length(at)) args <- c(args, "--at", paste(at, collapse = ","))
  args <- c(args, "--conf-level", level, "--json")
  add_case(name, args, list(n = nrow(used), n_dropped = nrow(data) - nrow(used), cause = cause, groups = groups, test = test,
                            warnings = list()))
}

cuminc_case("cuminc overall", cr, "competing", "time", "status", at = c(6, 12, 24, 60))
cuminc_case("cuminc by group", cr, "competing", "time", "status", group = "group", at = c(6, 12, 24))
cuminc_case("cuminc cause 2 by group, strata", cr, "competing", "time", "status", cause = 2, group = "group", strata = "stratum", at = c(12), level = 0.9)
cuminc_case("cuminc example LC by levels", example, "example_analysis", "lc_time", "lc_status", group = "n_levels", at = c(12, 24, 36))
cuminc_case("cuminc example death by extent", example, "example_analysis", "lc_time", "lc_status", cause = 2, group = "extent", at = c(12))

finegray_case <- function(name, data, file, time, status, covariates, cause = 1, factors = character(0)) {
  used <- data[complete.cases(data[, c(time, status, covariates)]), ]
  cols <- list(); terms <- list()
  for (v in covariates) {
    x <- used[[v]]
    if (v %in% factors || !is.numeric(x)) {
      lv <- if (is.numeric(x)) as.character(sort(unique(x))) else sort(unique(as.character(x)))
      for (l in lv[-1]) { cols[[length(cols) + 1]] <- as.numeric(as.character(x) == l); terms[[length(terms) + 1]] <- list(term = paste0(v, "=", l), variable = v, level = l) }
    } else { cols[[length(cols) + 1]] <- x; terms[[length(terms) + 1]] <- list(term = v, variable = v, level = NA) }
  }
  cov <- do.call(cbind, cols)
  fit <- crr(used[[time]], used[[status]], cov, failcode = cause, cencode = 0, gtol = 1e-10, maxiter = 200)
  se <- sqrt(diag(fit$var)); b <- fit$coef; z <- qnorm(0.975)
  args <- c("finegray", file.path(dir, paste0(file, ".csv")), "--time", time, "--status", status, "--cause", cause,
            "--covariates", paste(covariates, collapse = ","))
  if (length(factors)) args <- c(args, "--factor", paste(factors, collapse = ","))
  add_case(name, c(args, "--json"), list(
    n = nrow(used), n_dropped = nrow(data) - nrow(used), cause = cause,
    events = sum(used[[status]] == cause), competing = sum(used[[status]] != 0 & used[[status]] != cause),
    loglik_null = fit$loglik.null, loglik = fit$loglik,
    terms = lapply(seq_along(b), function(j) c(terms[[j]], list(coef = unname(b[j]), se = unname(se[j]), z = unname(b[j] / se[j]),
      p = 2 * pnorm(-abs(unname(b[j] / se[j]))), hr = exp(unname(b[j])), hr_lower = exp(unname(b[j] - z * se[j])), hr_upper = exp(unname(b[j] + z * se[j]))))),
    warnings = list()), ignore = "iterations")
}
cr$x1 <- round(rnorm(nrow(cr)), 2)
write.csv(cr, file.path(dir, "competing.csv"), row.names = FALSE, na = "NA", quote = FALSE)
finegray_case("finegray group", cr, "competing", "time", "status", c("group"))
finegray_case("finegray group and x1, cause 2", cr, "competing", "time", "status", c("group", "x1"), cause = 2)
finegray_case("finegray example LC by levels and extent", example, "example_analysis", "lc_time", "lc_status", c("n_levels", "extent"), factors = "n_levels")

writeLines(toJSON(list(generated_by = "tests/reference/reviewer.R", cmprsk_version = as.character(packageVersion("cmprsk")),
                       survival_version = as.character(packageVersion("survival")), cases = cases),
                  auto_unbox = TRUE, digits = NA, na = "null", null = "null", pretty = TRUE), "tests/reference/reviewer.json")
cat(length(cases), "cases written to tests/reference/reviewer.json\n")
