# Reference values for the survival engine (sbrt km / logrank / cox --json).
#
# Run from the repository root with R 4.2 and survival 3.5-3
# (Debian: apt-get install r-base-core r-cran-survival r-cran-jsonlite):
#
#     Rscript tests/reference/engine.R
#
# It writes the data sets it uses to tests/reference/data/*.csv and, for
# every case, the command line and the JSON that `sbrt` must print, to
# tests/reference/engine.json. tests/engine_reference.rs replays each case
# and compares every number (relative 1e-6, absolute 1e-9 near zero).

suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})
Sys.setlocale("LC_COLLATE", "C")
stopifnot(packageVersion("survival") == "3.5.3")

dir <- "tests/reference/data"
dir.create(dir, showWarnings = FALSE, recursive = TRUE)
write_data <- function(df, name) {
  path <- file.path(dir, paste0(name, ".csv"))
  write.csv(df, path, row.names = FALSE, na = "NA", quote = FALSE)
  df
}

# ---- data sets -------------------------------------------------------------
lung_df <- write_data(survival::lung, "lung")
ovarian_df <- write_data(survival::ovarian, "ovarian")
aml_df <- write_data(survival::aml, "aml")
# Stanford heart transplant, counting-process form (transplant time-varying).
heart_df <- write_data(survival::heart, "heart")

# Heavy ties (times on a 0.5 grid), 3 groups, a 3-level factor, a cluster
# id shared by 3 rows, missing values, 1/2 event coding.
set.seed(20231)
n <- 300
id <- rep(1:100, each = 3)
frailty <- rep(rnorm(100, 0, 0.5), each = 3)
group <- sample(c("A", "B", "C"), n, replace = TRUE)
x1 <- round(rnorm(n, 50, 10), 1)
x2 <- sample(c("low", "mid", "high"), n, replace = TRUE)
stratum <- sample(c("s1", "s2"), n, replace = TRUE)
lp <- 0.03 * (x1 - 50) + c(A = 0, B = 0.5, C = -0.4)[group] + c(low = 0, mid = 0.3, high = 0.7)[x2] + frailty
t_event <- rexp(n, 0.05 * exp(lp))
t_cens <- runif(n, 5, 40)
time <- pmax(0.5, round(pmin(t_event, t_cens) * 2) / 2)
status <- ifelse(t_event <= t_cens, 2, 1)
x1[c(7, 150)] <- NA
group[42] <- NA
synth <- data.frame(id = id, time = time, status = status, group = group, x1 = x1, x2 = x2,
                    stratum = stratum, x1_twice = 2 * x1 + 1, one = 1)
synth_df <- write_data(synth, "synth_ties")

# Times from day counts divided by 30.4375 in two ways, equal up to
# rounding: R's timefix ties them.
set.seed(7)
days <- sample(30:900, 80, replace = TRUE)
months_a <- days / 30.4375
months_b <- (days * 7) / (30.4375 * 7)
tf <- data.frame(time = ifelse(seq_along(days) %% 2 == 0, months_a, months_b + 1e-12 * (days %% 3)),
                 event = rbinom(80, 1, 0.6), arm = rep(c("a", "b"), 40), dose = round(runif(80, 20, 40)))
tf_df <- write_data(tf, "timefix")
# write.csv keeps 15 significant digits; read back so R sees what sbrt sees.
tf_df <- read.csv(file.path(dir, "timefix.csv"))

# Monotone likelihood: level "none" has no events.
set.seed(11)
mono <- data.frame(time = round(rexp(60, 0.1), 1) + 0.1,
                   event = rbinom(60, 1, 0.7),
                   level = rep(c("none", "some", "many"), each = 20),
                   age = round(rnorm(60, 60, 8)))
mono$event[mono$level == "none"] <- 0
mono_df <- write_data(mono, "monotone")

# Nearly separated groups: log-rank and Cox p-values near 1e-300, which
# must keep their relative accuracy (no 1 - cdf).
set.seed(1)
sep <- data.frame(time = round(c(runif(600, 0, 10), runif(600, 8, 30)), 6), event = 1,
                  arm = rep(c("a", "b"), each = 600))
sep_df <- write_data(sep, "separated")
sep_df <- read.csv(file.path(dir, "separated.csv"))

# Case weights: whole-number weights (Greenwood applies), fractional ones
# (R switches to the infinitesimal-jackknife variance), and fractional ones
# with zeros (rows sbrt drops and counts; R's coxph refuses them).
set.seed(2024)
lung_w <- survival::lung
lung_w$iw <- sample(1:3, nrow(lung_w), replace = TRUE)
lung_w$fw <- round(runif(nrow(lung_w), 0.2, 4), 3)
lung_w$zw <- lung_w$fw
lung_w$zw[sample(nrow(lung_w), 12)] <- 0
lung_w_df <- write_data(lung_w, "lung_weights")
heart_w <- survival::heart
heart_w$w <- round(runif(nrow(heart_w), 0.3, 3), 3)
heart_w_df <- write_data(heart_w, "heart_weights")
# survival's book6 test: weighted Efron worked by hand.
book6_df <- write_data(data.frame(time = c(1, 1, 2, 2, 2, 2, 3, 4, 5), status = c(1, 0, 1, 1, 1, 0, 0, 1, 0),
                                  x = c(2, 0, 1, 1, 0, 1, 0, 1, 0), wt = c(1, 2, 3, 4, 3, 2, 1, 2, 1)), "book6")
# Competing risks with weights (and heavy ties).
set.seed(77)
cr_w <- data.frame(time = round(rexp(150, 0.08)) + 1, status = sample(0:2, 150, TRUE, prob = c(0.3, 0.45, 0.25)),
                   w = round(runif(150, 0.2, 3), 2), arm = sample(c("a", "b"), 150, TRUE))
cr_w$w[c(5, 50, 99)] <- 0
cr_w_df <- write_data(cr_w, "competing_weights")

# ---- helpers --------------------------------------------------------------
num <- function(x) { x <- as.numeric(x); ifelse(is.finite(x), x, NA) }
levels_of <- function(v) {
  v <- v[!is.na(v)]
  if (is.numeric(v)) as.character(sort(unique(v))) else sort(unique(as.character(v)))
}
cases <- list()
add_case <- function(name, args, expected) {
  cases[[length(cases) + 1]] <<- list(name = name, args = args, expected = expected)
}
complete <- function(df, cols) df[complete.cases(df[, cols, drop = FALSE]), , drop = FALSE]

# Rows complete on `cols`, less those of weight 0 (which sbrt drops and counts).
weighted_rows <- function(data, cols, weights) {
  used <- complete(data, c(cols, weights))
  if (is.null(weights)) return(list(used = used, zero = 0L, w = rep(1, nrow(used))))
  zero <- used[[weights]] == 0
  list(used = used[!zero, , drop = FALSE], zero = sum(zero), w = used[[weights]][!zero])
}

# ---- Kaplan-Meier ---------------------------------------------------------
km_case <- function(name, data, file, time, event, group = NULL, at = numeric(0),
                    conf.type = "log", conf.int = 0.95, start = NULL, weights = NULL) {
  rows <- weighted_rows(data, c(time, event, group, start), weights)
  used <- rows$used; w <- rows$w
  y <- if (is.null(start)) Surv(used[[time]], used[[event]]) else Surv(used[[start]], used[[time]], used[[event]])
  groups <- if (is.null(group)) list(all = rep(TRUE, nrow(used))) else {
    lv <- levels_of(used[[group]])
    setNames(lapply(lv, function(l) as.character(used[[group]]) == l), lv)
  }
  out <- lapply(names(groups), function(g) {
    sel <- groups[[g]]
    wsel <- w[sel]
    fit <- survfit(y[sel] ~ 1, weights = wsel, conf.type = conf.type, conf.int = conf.int)
    q <- quantile(fit, 0.5)
    # The standard error of S: survfit keeps that of -log S, except for
    # the infinitesimal jackknife (fractional weights), whose std.err is on
    # the survival scale already; summary() reports S's in both cases.
    se_surv <- if (is.null(weights)) fit$std.err * fit$surv else summary(fit, times = fit$time)$std.err
    steps <- lapply(seq_along(fit$time), function(i) list(
      time = fit$time[i], n_risk = fit$n.risk[i], n_event = fit$n.event[i],
      n_censor = fit$n.censor[i], surv = fit$surv[i],
      std_err = num(se_surv[i]),
      lower = num(fit$lower[i]), upper = num(fit$upper[i]),
      cumhaz = fit$cumhaz[i], std_chaz = num(fit$std.chaz[i])))
    at_rows <- list()
    if (length(at)) {
      s <- summary(fit, times = at, extend = TRUE)
      at_rows <- lapply(seq_along(at), function(i) {
        beyond <- at[i] > max(fit$time)
        list(time = at[i], n_risk = s$n.risk[i],
             # beyond the data the curve is unknown unless it has reached 0
             surv = if (beyond) (if (tail(fit$surv, 1) == 0) 0 else NA) else s$surv[i],
             std_err = if (beyond) NA else num(s$std.err[i]),
             lower = if (beyond) NA else num(s$lower[i]),
             upper = if (beyond) NA else num(s$upper[i]),
             cumhaz = if (beyond) NA else s$cumhaz[i],
             std_chaz = if (beyond) NA else num(s$std.chaz[i]))
      })
    }
    list(group = g, n = sum(sel), events = sum(y[sel][, ncol(y)]),
         median = list(estimate = num(q$quantile), lower = num(q$lower), upper = num(q$upper)),
         steps = steps, at = at_rows)
  })
  args <- c("km", file.path(dir, paste0(file, ".csv")), "--time", time, "--event", event)
  if (!is.null(group)) args <- c(args, "--group", group)
  if (!is.null(start)) args <- c(args, "--start", start)
  if (!is.null(weights)) args <- c(args, "--weights", weights)
  if (length(at)) args <- c(args, "--at", paste(at, collapse = ","))
  args <- c(args, "--conf-type", conf.type, "--conf-level", conf.int, "--json")
  expected <- list(n = nrow(used), events = sum(y[, ncol(y)]),
                   n_dropped = nrow(data) - nrow(used) - rows$zero, groups = out, warnings = list())
  if (!is.null(weights)) expected$n_zero_weight <- rows$zero
  add_case(name, args, expected)
}

km_case("km lung overall", lung_df, "lung", "time", "status", at = c(180, 365, 730, 1000, 2000))
km_case("km lung by sex log-log", lung_df, "lung", "time", "status", "sex", at = c(365), conf.type = "log-log")
km_case("km lung by ecog plain 90%", lung_df, "lung", "time", "status", "ph.ecog", at = c(100, 500), conf.type = "plain", conf.int = 0.9)
km_case("km aml by x", aml_df, "aml", "time", "status", "x", at = c(12, 24, 36))
km_case("km ovarian by rx log-log", ovarian_df, "ovarian", "futime", "fustat", "rx", at = c(365, 730), conf.type = "log-log")
km_case("km synth ties by group", synth_df, "synth_ties", "time", "status", "group", at = c(6, 12, 24, 36))
km_case("km synth ties plain 99%", synth_df, "synth_ties", "time", "status", conf.type = "plain", conf.int = 0.99)
km_case("km timefix", tf_df, "timefix", "time", "event", "arm", at = c(6, 12))
# Delayed entry: (start, stop] rows of the heart data.
km_case("km heart counting process by transplant", heart_df, "heart", "stop", "event", "transplant",
        at = c(10, 50, 100, 300, 2000), start = "start")
# Before the first time R's summary() gives limits of 1 for every type.
km_case("km lung log-log before the first time", lung_df, "lung", "time", "status", at = c(1, 3, 365), conf.type = "log-log")
km_case("km heart counting process log-log", heart_df, "heart", "stop", "event", at = c(30, 365),
        conf.type = "log-log", start = "start")

# ---- log-rank -------------------------------------------------------------
lr_case <- function(name, data, file, time, event, group, strata = NULL, rho = 0) {
  used <- complete(data, c(time, event, group, strata))
  g <- factor(as.character(used[[group]]), levels = levels_of(used[[group]]))
  f <- if (is.null(strata)) survdiff(Surv(used[[time]], used[[event]]) ~ g, rho = rho)
       else { s <- used[[strata]]; survdiff(Surv(used[[time]], used[[event]]) ~ g + strata(s), rho = rho) }
  obs <- if (is.matrix(f$obs)) rowSums(f$obs) else f$obs
  ex <- if (is.matrix(f$exp)) rowSums(f$exp) else f$exp
  df <- sum(ex > 0) - 1
  args <- c("logrank", file.path(dir, paste0(file, ".csv")), "--time", time, "--event", event, "--group", group)
  if (!is.null(strata)) args <- c(args, "--strata", strata)
  if (rho != 0) args <- c(args, "--rho", rho)
  add_case(name, c(args, "--json"), list(
    n = nrow(used), n_dropped = nrow(data) - nrow(used), chisq = f$chisq, df = df,
    p = pchisq(f$chisq, df, lower.tail = FALSE),
    groups = lapply(seq_along(levels(g)), function(i) list(
      group = levels(g)[i], n = as.integer(table(g)[i]), observed = obs[i], expected = ex[i])),
    warnings = list()))
}

lr_case("logrank lung sex", lung_df, "lung", "time", "status", "sex")
lr_case("logrank lung ecog 4 groups", lung_df, "lung", "time", "status", "ph.ecog")
lr_case("logrank lung sex strata ecog", lung_df, "lung", "time", "status", "sex", "ph.ecog")
lr_case("logrank aml", aml_df, "aml", "time", "status", "x")
lr_case("logrank ovarian rx strata resid.ds", ovarian_df, "ovarian", "futime", "fustat", "rx", "resid.ds")
lr_case("logrank synth 3 groups", synth_df, "synth_ties", "time", "status", "group")
lr_case("logrank synth strata", synth_df, "synth_ties", "time", "status", "group", "stratum")
lr_case("logrank separated p near 1e-300", sep_df, "separated", "time", "event", "arm")
lr_case("logrank timefix", tf_df, "timefix", "time", "event", "arm")
# Fleming-Harrington G(rho) weights S(t-)^rho (Peto-Peto for rho = 1).
lr_case("logrank lung sex rho 1", lung_df, "lung", "time", "status", "sex", rho = 1)
lr_case("logrank lung ecog strata sex rho 0.5", lung_df, "lung", "time", "status", "ph.ecog", "sex", rho = 0.5)
lr_case("logrank synth ties strata rho 1", synth_df, "synth_ties", "time", "status", "group", "stratum", rho = 1)
lr_case("logrank aml rho 2", aml_df, "aml", "time", "status", "x", rho = 2)

# ---- Cox ------------------------------------------------------------------
# Restricted mean survival time: per group from R's survmean (summary
# table rmean, se(rmean)); normal limits; each group against the first by
# survRM2::rmst2's formulas (difference: variances added; ratio: on the
# log scale), written out here as survRM2 is not packaged for Debian.
rmst_case <- function(name, data, file, time, event, group = NULL, tau, conf.int = 0.95) {
  used <- complete(data, c(time, event, group))
  y <- Surv(used[[time]], used[[event]])
  lv <- if (is.null(group)) "all" else levels_of(used[[group]])
  z <- qnorm(1 - (1 - conf.int) / 2)
  per <- lapply(lv, function(l) {
    sel <- if (is.null(group)) rep(TRUE, nrow(used)) else as.character(used[[group]]) == l
    tab <- summary(survfit(y[sel] ~ 1), rmean = tau)$table
    c(rmst = unname(tab["rmean"]), se = unname(tab["se(rmean)"]))
  })
  groups <- lapply(seq_along(lv), function(i) list(
    group = lv[i], rmst = per[[i]][["rmst"]], se = per[[i]][["se"]],
    lower = per[[i]][["rmst"]] - z * per[[i]][["se"]], upper = per[[i]][["rmst"]] + z * per[[i]][["se"]]))
  contrasts <- lapply(seq_along(lv)[-1], function(i) {
    g <- per[[i]]; r <- per[[1]]
    d <- g[["rmst"]] - r[["rmst"]]; se_d <- sqrt(g[["se"]]^2 + r[["se"]]^2)
    lr <- log(g[["rmst"]] / r[["rmst"]]); se_r <- sqrt((g[["se"]] / g[["rmst"]])^2 + (r[["se"]] / r[["rmst"]])^2)
    list(group = lv[i], reference = lv[1],
         difference = d, difference_lower = d - z * se_d, difference_upper = d + z * se_d,
         difference_p = 2 * pnorm(-abs(d / se_d)),
         ratio = exp(lr), ratio_lower = exp(lr - z * se_r), ratio_upper = exp(lr + z * se_r),
         ratio_p = 2 * pnorm(-abs(lr / se_r)))
  })
  args <- c("rmst", file.path(dir, paste0(file, ".csv")), "--time", time, "--event", event)
  if (!is.null(group)) args <- c(args, "--group", group)
  args <- c(args, "--tau", tau, "--conf-level", conf.int, "--json")
  add_case(name, args, list(n = nrow(used), n_dropped = nrow(data) - nrow(used), tau = tau,
                            conf_level = conf.int, groups = groups, contrasts = contrasts,
                            warnings = list()))
}

rmst_case("rmst lung by sex", lung_df, "lung", "time", "status", "sex", tau = 365)
rmst_case("rmst ovarian by rx 90%", ovarian_df, "ovarian", "futime", "fustat", "rx", tau = 700, conf.int = 0.9)
rmst_case("rmst aml by x", aml_df, "aml", "time", "status", "x", tau = 30)
rmst_case("rmst synth ties by group", synth_df, "synth_ties", "time", "status", "group", tau = 20)
rmst_case("rmst ovarian overall", ovarian_df, "ovarian", "futime", "fustat", tau = 700)

cox_case <- function(name, data, file, time, event, covariates, factors = character(0),
                     reference = list(), ties = "efron", strata = NULL, cluster = NULL, zph = FALSE,
                     predict = NULL, at = numeric(0), start = NULL, robust = FALSE, weights = NULL) {
  # Covariates may be interactions "a:b"; the columns are renamed v1, v2, ...
  vars <- unique(unlist(strsplit(covariates, ":")))
  rows <- weighted_rows(data, c(time, event, vars, strata, cluster, start), weights)
  used <- rows$used
  mf <- data.frame(row.names = seq_len(nrow(used)))
  for (v in vars) {
    x <- used[[v]]
    if (v %in% factors || !is.numeric(x)) {
      lv <- levels_of(x)
      ref <- if (!is.null(reference[[v]])) reference[[v]] else lv[1]
      mf[[v]] <- factor(as.character(x), levels = c(ref, setdiff(lv, ref)))
    } else {
      mf[[v]] <- x
    }
  }
  vname <- setNames(paste0("v", seq_along(vars)), vars)
  # sbrt's names of R's columns: "v2b" is "sex=b", "v1:v2b" is "age:sex=b".
  sbrt_term <- function(rname) {
    parts <- strsplit(rname, ":", fixed = TRUE)[[1]]
    named <- lapply(parts, function(part) {
      for (k in order(-nchar(vname))) {
        v <- vars[k]
        if (part == vname[[v]]) return(list(name = v, variable = v, level = NA))
        col <- mf[[vname[[v]]]]
        if (is.factor(col) && startsWith(part, vname[[v]])) {
          l <- substring(part, nchar(vname[[v]]) + 1)
          if (l %in% levels(col)) return(list(name = paste0(v, "=", l), variable = v, level = l))
        }
      }
      stop("cannot name ", part)
    })
    levels <- unlist(lapply(named, function(p) p$level))
    levels <- levels[!is.na(levels)]
    list(term = paste(sapply(named, `[[`, "name"), collapse = ":"),
         variable = paste(sapply(named, `[[`, "variable"), collapse = ":"),
         level = if (length(levels)) paste(levels, collapse = ":") else NA)
  }
  names(mf) <- vname[vars]
  rhs <- paste(sapply(covariates, function(c) paste(vname[strsplit(c, ":")[[1]]], collapse = ":")), collapse = " + ")
  mf$.time <- used[[time]]; mf$.event <- used[[event]]
  if (!is.null(start)) mf$.start <- used[[start]]
  if (!is.null(strata)) { mf$.strata <- used[[strata]]; rhs <- paste(rhs, "+ strata(.strata)") }
  if (!is.null(cluster)) mf$.cluster <- used[[cluster]]
  # double, not integer: cox.zph's C code rejects integer weights (survival 3.5-3).
  mf$.w <- as.numeric(rows$w)
  form <- as.formula(paste(if (is.null(start)) "Surv(.time, .event) ~" else "Surv(.start, .time, .event) ~", rhs))
  warns <- character(0)
  fit <- withCallingHandlers(
    if (!is.null(cluster)) coxph(form, data = mf, ties = ties, cluster = .cluster, weights = .w)
    else if (robust) coxph(form, data = mf, ties = ties, robust = TRUE, weights = .w)
    else coxph(form, data = mf, ties = ties, weights = .w),
    warning = function(w) { warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning") })
  coef <- fit$coefficients
  terms <- lapply(names(coef), sbrt_term)
  naive <- if (is.null(fit$naive.var)) fit$var else fit$naive.var
  se <- sqrt(diag(naive)); rse <- if (is.null(fit$naive.var)) rep(NA, length(coef)) else sqrt(diag(fit$var))
  wse <- if (is.null(fit$naive.var)) se else rse
  # survival 3.5-3 keeps aliased terms in var with zero rows; they are not estimable (NA).
  ok <- !is.na(coef)
  se_full <- ifelse(ok, se, NA); rse_full <- ifelse(ok, rse, NA); wse_full <- ifelse(ok, wse, NA)
  z <- coef / wse_full; zc <- qnorm(0.975)
  kinds <- character(0)
  for (j in which(is.na(coef))) kinds <- c(kinds, paste0("aliased:", terms[[j]]$term))
  for (w in warns) if (grepl("may be infinite", w)) {
    idx <- as.integer(trimws(strsplit(sub(".*variable +([0-9, ]+);.*", "\\1", w), ",")[[1]]))
    for (j in idx) kinds <- c(kinds, paste0("may_be_infinite:", terms[[j]]$term))
  }
  df <- sum(ok)
  args <- c("cox", file.path(dir, paste0(file, ".csv")), "--time", time, "--event", event,
            "--covariates", paste(covariates, collapse = ","))
  if (length(factors)) args <- c(args, "--factor", paste(factors, collapse = ","))
  if (length(reference)) args <- c(args, "--reference", paste(names(reference), unlist(reference), sep = "=", collapse = ","))
  args <- c(args, "--ties", ties)
  if (!is.null(strata)) args <- c(args, "--strata", strata)
  if (!is.null(cluster)) args <- c(args, "--cluster", cluster)
  if (!is.null(start)) args <- c(args, "--start", start)
  if (robust) args <- c(args, "--robust")
  if (!is.null(weights)) args <- c(args, "--weights", weights)
  expected_ph <- NULL
  if (zph) {
    args <- c(args, "--zph")
    ztab <- cox.zph(fit, transform = "km")$table
    labels <- attr(terms(form), "term.labels")
    labels <- labels[!startsWith(labels, "strata(")]
    expected_ph <- list(
      terms = lapply(labels, function(row) {
        label <- paste(vars[match(strsplit(row, ":")[[1]], vname)], collapse = ":")
        if (row %in% rownames(ztab)) list(term = label, chisq = ztab[row, "chisq"], df = ztab[row, "df"], p = ztab[row, "p"])
        else list(term = label, chisq = NA, df = NA, p = NA)
      }),
      global = list(chisq = ztab["GLOBAL", "chisq"], df = ztab["GLOBAL", "df"], p = ztab["GLOBAL", "p"]))
  }
  expected <- list(
    n = fit$n, events = fit$nevent, n_dropped = nrow(data) - nrow(used) - rows$zero, iterations = fit$iter,
    loglik_null = fit$loglik[1], loglik = fit$loglik[2],
    terms = lapply(seq_along(coef), function(j) c(terms[[j]], list(
      coef = num(coef[j]), se = num(se_full[j]), robust_se = num(rse_full[j]), z = num(z[j]),
      p = num(2 * pnorm(-abs(z[j]))), hr = num(exp(coef[j])),
      hr_lower = num(exp(coef[j] - zc * wse_full[j])), hr_upper = num(exp(coef[j] + zc * wse_full[j]))))),
    tests = list(
      likelihood_ratio = list(chisq = 2 * diff(fit$loglik), df = df, p = pchisq(2 * diff(fit$loglik), df, lower.tail = FALSE)),
      wald = list(chisq = fit$wald.test, df = df, p = pchisq(fit$wald.test, df, lower.tail = FALSE)),
      score = list(chisq = fit$score, df = df, p = pchisq(fit$score, df, lower.tail = FALSE))),
    concordance = list(estimate = unname(fit$concordance["concordance"]), se = unname(fit$concordance["std"])),
    warnings = as.list(kinds))
  if (zph) expected$ph_test <- expected_ph
  if (!is.null(weights)) expected$n_zero_weight <- rows$zero
  if (!is.null(predict)) {
    # survfit(fit, newdata) with R's defaults; the curve read at `at`
    # (beyond the last time it is not estimated), and basehaz at covariates 0.
    nd <- data.frame(row.names = 1)
    for (v in vars) {
      col <- mf[[vname[[v]]]]
      nd[[vname[[v]]]] <- if (is.factor(col)) factor(predict[[v]], levels = levels(col)) else as.numeric(predict[[v]])
    }
    sf <- survfit(fit, newdata = nd)
    s <- summary(sf, times = at, extend = TRUE)
    last <- max(sf$time)
    expected$predicted <- lapply(seq_along(at), function(i) {
      if (at[i] > last) list(time = at[i], surv = NA, std_err = NA, lower = NA, upper = NA)
      else list(time = at[i], surv = s$surv[i], std_err = s$std.err[i], lower = s$lower[i], upper = s$upper[i])
    })
    bh <- basehaz(fit, centered = FALSE)
    expected$baseline_cumhaz <- lapply(seq_len(nrow(bh)), function(i) list(time = bh$time[i], cumhaz = bh$hazard[i]))
    args <- c(args, "--predict", paste(names(predict), unlist(predict), sep = "=", collapse = ","),
              "--at", paste(at, collapse = ","))
  }
  add_case(name, c(args, "--json"), expected)
}

cox_case("cox lung age sex", lung_df, "lung", "time", "status", c("age", "sex"))
cox_case("cox lung ecog factor", lung_df, "lung", "time", "status", c("age", "sex", "ph.ecog"), factors = "ph.ecog")
cox_case("cox lung ecog reference 1", lung_df, "lung", "time", "status", c("age", "ph.ecog", "wt.loss"), factors = "ph.ecog", reference = list(ph.ecog = "1"))
cox_case("cox lung breslow", lung_df, "lung", "time", "status", c("age", "sex", "ph.karno"), ties = "breslow")
cox_case("cox lung strata ecog", lung_df, "lung", "time", "status", c("age", "sex"), strata = "ph.ecog")
cox_case("cox ovarian", ovarian_df, "ovarian", "futime", "fustat", c("age", "rx", "resid.ds", "ecog.ps"))
cox_case("cox aml", aml_df, "aml", "time", "status", c("x"))
cox_case("cox synth cluster", synth_df, "synth_ties", "time", "status", c("x1", "x2", "group"), cluster = "id")
cox_case("cox synth breslow cluster", synth_df, "synth_ties", "time", "status", c("x1", "x2"), ties = "breslow", cluster = "id")
cox_case("cox synth strata cluster ref", synth_df, "synth_ties", "time", "status", c("x1", "group"), reference = list(group = "B"), strata = "stratum", cluster = "id")
cox_case("cox synth collinear", synth_df, "synth_ties", "time", "status", c("x1", "x1_twice", "group"))
cox_case("cox synth constant covariate", synth_df, "synth_ties", "time", "status", c("one", "x1"))
cox_case("cox monotone likelihood", mono_df, "monotone", "time", "event", c("level", "age"))
cox_case("cox monotone reference none", mono_df, "monotone", "time", "event", c("level"), reference = list(level = "many"))
cox_case("cox separated tiny p", sep_df, "separated", "time", "event", c("arm"))
cox_case("cox timefix", tf_df, "timefix", "time", "event", c("arm", "dose"))
cox_case("cox zph lung", lung_df, "lung", "time", "status", c("age", "sex", "ph.ecog"), factors = "ph.ecog", zph = TRUE)
cox_case("cox zph lung breslow strata", lung_df, "lung", "time", "status", c("age", "ph.karno"), ties = "breslow", strata = "sex", zph = TRUE)
cox_case("cox zph synth ties factor", synth_df, "synth_ties", "time", "status", c("x1", "x2", "group"), zph = TRUE)
cox_case("cox zph ovarian", ovarian_df, "ovarian", "futime", "fustat", c("age", "rx", "resid.ds"), zph = TRUE)
# Interactions, coded and ordered as model.matrix: numeric x factor with
# and without the factor's main effect, factor x factor, numeric x numeric.
cox_case("cox lung age:sex", lung_df, "lung", "time", "status", c("age", "sex", "age:sex"), factors = "sex", zph = TRUE)
cox_case("cox lung age:sex without sex", lung_df, "lung", "time", "status", c("age:sex", "age"), factors = "sex")
cox_case("cox lung age:karno breslow", lung_df, "lung", "time", "status", c("age", "ph.karno", "age:ph.karno"), ties = "breslow")
cox_case("cox synth x2:group", synth_df, "synth_ties", "time", "status", c("x2", "group", "x2:group"), zph = TRUE)
cox_case("cox synth x1:group strata cluster", synth_df, "synth_ties", "time", "status", c("x1", "group", "x1:group"), strata = "stratum", cluster = "id")
# Predicted survival for a covariate profile (survfit(fit, newdata)), Efron
# and Breslow, heavy ties, a clustered (robust) variance, an interaction,
# and a time beyond the data.
cox_case("cox predict lung age sex", lung_df, "lung", "time", "status", c("age", "sex"), factors = "sex",
         predict = list(age = 60, sex = "2"), at = c(0, 5, 180, 365, 730, 1000, 2000))
cox_case("cox predict lung breslow ecog", lung_df, "lung", "time", "status", c("age", "ph.ecog", "ph.karno"), factors = "ph.ecog",
         ties = "breslow", predict = list(age = 70, ph.ecog = "2", ph.karno = 70), at = c(100, 300, 500))
cox_case("cox predict synth ties cluster", synth_df, "synth_ties", "time", "status", c("x1", "x2", "group"), cluster = "id",
         predict = list(x1 = 55, x2 = "mid", group = "C"), at = c(2, 6, 12, 24, 36))
cox_case("cox predict lung age:sex", lung_df, "lung", "time", "status", c("age", "sex", "age:sex"), factors = "sex",
         predict = list(age = 50, sex = "1"), at = c(200, 400))
# Counting-process data (start, stop]: the Stanford heart data, transplant
# time-dependent; Breslow with strata; clustered by patient; and a
# synthetic set with delayed entry and heavy ties.
cox_case("cox heart counting process", heart_df, "heart", "stop", "event", c("age", "year", "surgery", "transplant"), factors = "transplant", start = "start")
cox_case("cox heart counting breslow strata", heart_df, "heart", "stop", "event", c("age", "transplant"), factors = "transplant", ties = "breslow", strata = "surgery", start = "start")
cox_case("cox heart counting cluster", heart_df, "heart", "stop", "event", c("age", "year", "transplant"), factors = "transplant", cluster = "id", start = "start")
set.seed(42)
m <- 400
entry <- round(runif(m, 0, 10))
late <- data.frame(entry = entry, exit = entry + pmax(1, round(rexp(m, 0.1))), x = round(rnorm(m), 1),
                   g = sample(c("a", "b", "c"), m, replace = TRUE))
late$status <- rbinom(m, 1, 0.7)
late_df <- write_data(late, "delayed_entry")
cox_case("cox lung robust", lung_df, "lung", "time", "status", c("age", "sex"), robust = TRUE)
cox_case("cox synth robust breslow", synth_df, "synth_ties", "time", "status", c("x1", "group"), ties = "breslow", robust = TRUE)
cox_case("cox delayed entry ties factor", late_df, "delayed_entry", "exit", "status", c("x", "g"), start = "entry")
cox_case("cox ovarian rx + rx:resid.ds", ovarian_df, "ovarian", "futime", "fustat", c("rx", "rx:resid.ds"), factors = c("rx", "resid.ds"))

late_w <- late_df
set.seed(9)
late_w$w <- round(runif(nrow(late_w), 0.5, 2.5), 2)
late_w_df <- write_data(late_w, "delayed_entry_weights")
# Case weights: survival's book6 (weighted Efron by hand) and Breslow; the
# same weights fractional (robust variance by default, as R); lung with
# whole, fractional and zero weights, strata and clusters; weighted
# counting-process rows.
cox_case("cox book6 weighted efron", book6_df, "book6", "time", "status", "x", weights = "wt")
cox_case("cox book6 weighted breslow", book6_df, "book6", "time", "status", "x", ties = "breslow", weights = "wt")
book6_frac <- transform(book6_df, wt = wt / 3)
book6_frac_df <- write_data(book6_frac, "book6_fractional")
book6_frac_df <- read.csv(file.path(dir, "book6_fractional.csv"))
cox_case("cox book6 fractional weights robust", book6_frac_df, "book6_fractional", "time", "status", "x", weights = "wt")
cox_case("cox lung integer weights", lung_w_df, "lung_weights", "time", "status", c("age", "sex", "ph.ecog"), factors = "ph.ecog", weights = "iw")
cox_case("cox lung fractional weights breslow strata", lung_w_df, "lung_weights", "time", "status", c("age", "ph.karno"), ties = "breslow", strata = "sex", weights = "fw")
cox_case("cox lung zero weights cluster", lung_w_df, "lung_weights", "time", "status", c("age", "sex"), cluster = "inst", weights = "zw")
cox_case("cox lung integer weights robust", lung_w_df, "lung_weights", "time", "status", c("age", "sex"), robust = TRUE, weights = "iw")
cox_case("cox heart counting weighted cluster", heart_w_df, "heart_weights", "stop", "event", c("age", "transplant"), factors = "transplant", cluster = "id", start = "start", weights = "w")
# Predicted survival from weighted fits (survfit(fit, newdata) of a
# weighted coxph: the weighted baseline; fractional weights carry the
# robust variance into the curve's standard error, as R).
cox_case("cox predict lung integer weights", lung_w_df, "lung_weights", "time", "status", c("age", "sex"), factors = "sex",
         weights = "iw", predict = list(age = 60, sex = "2"), at = c(100, 365, 700))
cox_case("cox predict lung fractional weights breslow", lung_w_df, "lung_weights", "time", "status", c("age", "ph.ecog"), factors = "ph.ecog",
         ties = "breslow", weights = "zw", predict = list(age = 70, ph.ecog = "1"), at = c(50, 300, 900))
# The proportional-hazards test of weighted and counting-process fits
# (cox.zph, transform "km": the unweighted KM of the rows).
cox_case("cox zph lung fractional weights", lung_w_df, "lung_weights", "time", "status", c("age", "sex", "ph.ecog"), factors = "ph.ecog",
         weights = "fw", zph = TRUE)
cox_case("cox zph lung integer weights breslow strata", lung_w_df, "lung_weights", "time", "status", c("age", "ph.karno"), ties = "breslow",
         strata = "sex", weights = "iw", zph = TRUE)
cox_case("cox zph heart counting process", heart_df, "heart", "stop", "event", c("age", "year", "transplant"), factors = "transplant",
         start = "start", zph = TRUE)
cox_case("cox zph delayed entry weighted", late_w_df, "delayed_entry_weights", "exit", "status", c("x", "g"), start = "entry",
         weights = "w", zph = TRUE)
km_case("km book6 weighted", book6_df, "book6", "time", "status", at = c(1.5, 4), weights = "wt")
km_case("km book6 fractional weights jackknife", book6_frac_df, "book6_fractional", "time", "status", at = c(2, 4.5), weights = "wt")
km_case("km lung integer weights by sex", lung_w_df, "lung_weights", "time", "status", "sex", at = c(180, 365), weights = "iw")
km_case("km lung zero and fractional weights log-log", lung_w_df, "lung_weights", "time", "status", "ph.ecog", at = c(100, 400), conf.type = "log-log", weights = "zw")
km_case("km heart counting fractional weights", heart_w_df, "heart_weights", "stop", "event", at = c(30, 365), start = "start", weights = "w")

# Weighted cumulative incidence: survfit's Aalen-Johansen estimate with its
# infinitesimal-jackknife standard error (cmprsk::cuminc has no weights);
# the limits at --at are cuminc's complementary log-log ones on that error.
cuminc_weighted_case <- function(name, data, file, time, status, cause, weights, group = NULL, at = numeric(0)) {
  rows <- weighted_rows(data, c(time, status, group), weights)
  used <- rows$used
  lv <- if (is.null(group)) "all" else levels_of(used[[group]])
  z <- qnorm(0.975)
  groups <- lapply(lv, function(l) {
    sel <- if (is.null(group)) rep(TRUE, nrow(used)) else as.character(used[[group]]) == l
    sub <- used[sel, ]
    f <- survfit(Surv(sub[[time]], factor(sub[[status]])) ~ 1, weights = rows$w[sel])
    col <- match(as.character(cause), f$states)
    est <- f$pstate[, col]; se <- f$std.err[, col]
    jump <- which(diff(c(0, est)) > 0)
    at_rows <- lapply(at, function(t) {
      if (t > max(sub[[time]])) return(list(time = t, estimate = NA, std_err = NA, lower = NA, upper = NA))
      k <- sum(f$time <= t)
      fv <- if (k == 0) 0 else est[k]; sv <- if (k == 0) 0 else se[k]
      lim <- if (fv > 0 && fv < 1) fv^exp(c(1, -1) * z * sv / (fv * abs(log(fv)))) else c(NA, NA)
      list(time = t, estimate = fv, std_err = sv, lower = lim[1], upper = lim[2])
    })
    list(group = l, n = nrow(sub), events = sum(sub[[status]] == cause),
         steps = lapply(jump, function(k) list(time = f$time[k], estimate = est[k], variance = se[k]^2)),
         at = at_rows)
  })
  args <- c("cuminc", file.path(dir, paste0(file, ".csv")), "--time", time, "--status", status,
            "--cause", cause, "--weights", weights)
  if (!is.null(group)) args <- c(args, "--group", group)
  if (length(at)) args <- c(args, "--at", paste(at, collapse = ","))
  add_case(name, c(args, "--json"), list(
    n = nrow(used), n_dropped = nrow(data) - nrow(used) - rows$zero, n_zero_weight = rows$zero, cause = cause,
    groups = groups, test = NULL,
    warnings = if (is.null(group)) list() else list("no_gray_test:")))
}
cuminc_weighted_case("cuminc weighted overall", cr_w_df, "competing_weights", "time", "status", 1, "w", at = c(5, 10, 30, 500))
cuminc_weighted_case("cuminc weighted by arm cause 2", cr_w_df, "competing_weights", "time", "status", 2, "w", group = "arm", at = c(10, 20))

writeLines(toJSON(list(
  generated_by = "tests/reference/engine.R",
  r_version = R.version.string,
  survival_version = as.character(packageVersion("survival")),
  cases = cases), auto_unbox = TRUE, digits = NA, na = "null", null = "null", pretty = TRUE),
  "tests/reference/engine.json")
cat(length(cases), "cases written to tests/reference/engine.json\n")
