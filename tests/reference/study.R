# Reference values for the built-in study (the source paper's analysis) on
# the bundled synthetic cohort, computed independently of sbrt: endpoints
# are derived here from the raw cohort file with R's date arithmetic.
#
#     Rscript tests/reference/study.R      # from the repository root
#
# Writes tests/reference/study.json: per endpoint the 1/2/3-year
# Kaplan-Meier rates, each covariate's per-level 1-year rate and univariate
# p (log-rank, or Cox Wald for continuous), and the multivariable model
# selected by backward elimination with likelihood-ratio tests (drop1) on
# the rows complete for all candidates. tests/analyze.rs compares them
# with sbrt's results.json (relative 1e-6).

suppressPackageStartupMessages({ library(survival); library(jsonlite) })
Sys.setlocale("LC_COLLATE", "C")
stopifnot(packageVersion("survival") == "3.5.3")

d <- read.csv("examples/spine_sarcoma_synthetic.csv", stringsAsFactors = FALSE, na.strings = c("", "NA"))
day <- function(x) as.numeric(as.Date(x))
month <- 30.4375
end <- ifelse(is.na(d$death_date), day(d$last_followup_date), day(d$death_date))
sbrt <- day(d$sbrt_date)
first_sbrt <- ave(sbrt, d$patient_id, FUN = min)
lf <- day(d$local_failure_date); af <- day(d$adjacent_failure_date); prog <- day(d$progression_date)
d$lc_event <- as.integer(!is.na(lf))
d$lc_time <- (ifelse(is.na(lf), end, lf) - sbrt) / month
recur <- pmin(lf, af, na.rm = TRUE)
patient_first_recur <- ave(ifelse(is.na(recur), Inf, recur), d$patient_id, FUN = min)
pfs_date <- pmin(patient_first_recur, ifelse(is.na(prog), Inf, prog))
d$pfs_event <- as.integer(is.finite(pfs_date))
d$pfs_time <- (ifelse(is.finite(pfs_date), pfs_date, end) - first_sbrt) / month
d$os_event <- as.integer(!is.na(d$death_date))
d$os_time <- (end - first_sbrt) / month
d$months_from_diagnosis <- (sbrt - day(d$diagnosis_date)) / month
d$bed <- d$dose_gy * (1 + d$dose_gy / d$fractions / 5)

# Vertebral levels: count and the region holding most of them (ties go up).
spine <- c(paste0("C", 1:7), paste0("T", 1:12), paste0("L", 1:5), paste0("S", 1:5))
region_of <- function(i) c(rep("cervical", 7), rep("thoracic", 12), rep("lumbar", 5), rep("sacral", 5))[i]
levels_of_text <- function(s) {
  ends <- strsplit(s, "-")[[1]]
  idx <- match(ends, spine)
  if (length(idx) == 2) idx[1]:idx[2] else idx
}
lv <- lapply(d$levels, levels_of_text)
d$n_levels <- sapply(lv, length)
d$site <- sapply(lv, function(i) {
  tab <- table(factor(region_of(i), levels = c("cervical", "thoracic", "lumbar", "sacral")))
  names(tab)[which.max(tab)]
})

cat_var <- function(x, levels_map) {
  out <- rep(NA_character_, length(x))
  for (lab in names(levels_map)) out[tolower(x) %in% levels_map[[lab]]] <- lab
  factor(out, levels = names(levels_map))
}
covariates <- list(
  sex = list(kind = "cat", f = function() cat_var(d$sex, list(Men = "m", Women = "f"))),
  age = list(kind = "cat", f = function() factor(ifelse(d$age <= 40, "≤40", ">40"), levels = c("≤40", ">40"))),
  histology = list(kind = "cat", f = function() factor(ifelse(d$histology == "osteosarcoma", "Osteosarcoma", "Others"), levels = c("Osteosarcoma", "Others"))),
  disease_status = list(kind = "cat", f = function() cat_var(d$disease_status, list(Primary = "primary", Metastasis = "metastasis"))),
  prior_rt = list(kind = "cat", f = function() cat_var(d$prior_rt, list(No = "no", Yes = "yes"))),
  prior_surgery = list(kind = "cat", f = function() cat_var(d$prior_surgery, list(No = "no", Yes = "yes"))),
  months_from_diagnosis = list(kind = "num", f = function() d$months_from_diagnosis),
  site = list(kind = "cat", f = function() cat_var(d$site, list(Cervical = "cervical", Thoracic = "thoracic", Lumbar = "lumbar", Sacral = "sacral"))),
  levels = list(kind = "cat", f = function() cut(d$n_levels, c(-Inf, 1, 3, Inf), labels = c("Single", "2–3", "≥4"))),
  bed = list(kind = "num", f = function() d$bed),
  ptv = list(kind = "num", f = function() d$ptv_cc),
  extent = list(kind = "cat", f = function() cat_var(d$extent, list(`Solitary spine involvement` = "solitary_spine", `Multiple bone metastases` = "multiple_bone", `Visceral metastases` = "visceral")))
)
endpoints <- list(
  lc = c("sex", "age", "histology", "disease_status", "prior_rt", "prior_surgery", "months_from_diagnosis", "site", "levels", "bed", "ptv", "extent"),
  pfs = c("sex", "age", "histology", "disease_status", "months_from_diagnosis", "levels", "bed", "ptv", "extent"),
  os = c("sex", "age", "histology", "disease_status", "months_from_diagnosis", "levels", "bed", "ptv", "extent")
)
rate_at <- function(fit, t) {
  s <- summary(fit, times = t, extend = TRUE)
  ifelse(t > max(fit$time), ifelse(tail(fit$surv, 1) == 0, 0, NA), s$surv)
}

out <- list()
for (ep in names(endpoints)) {
  time <- d[[paste0(ep, "_time")]]; event <- d[[paste0(ep, "_event")]]
  overall <- survfit(Surv(time, event) ~ 1)
  uni <- list(); vars <- list(); pvals <- c()
  for (cv in endpoints[[ep]]) {
    x <- covariates[[cv]]$f()
    vars[[cv]] <- x
    ok <- !is.na(x)
    if (covariates[[cv]]$kind == "cat") {
      x <- droplevels(x[ok])
      lv_rates <- lapply(levels(x), function(l) {
        sel <- x == l
        list(label = l, rate = rate_at(survfit(Surv(time[ok][sel], event[ok][sel]) ~ 1), 12))
      })
      sd <- survdiff(Surv(time[ok], event[ok]) ~ x)
      p <- pchisq(sd$chisq, length(levels(x)) - 1, lower.tail = FALSE)
      uni[[length(uni) + 1]] <- list(covariate = cv, p = p, levels = lv_rates)
    } else {
      fit <- coxph(Surv(time[ok], event[ok]) ~ x[ok])
      p <- summary(fit)$coefficients[1, 5]
      uni[[length(uni) + 1]] <- list(covariate = cv, p = p, levels = list())
    }
    pvals[cv] <- p
  }
  cands <- names(pvals)[pvals < 0.1]
  model <- list(candidates = I(cands), retained = I(character(0)), terms = list())
  if (length(cands)) {
    md <- data.frame(time = time, event = event)
    for (cv in cands) md[[cv]] <- vars[[cv]]
    md <- md[complete.cases(md), ]
    for (cv in cands) if (is.factor(md[[cv]])) md[[cv]] <- droplevels(md[[cv]])
    current <- cands
    repeat {
      if (!length(current)) break
      f <- coxph(as.formula(paste("Surv(time, event) ~", paste(current, collapse = " + "))), data = md)
      dr <- drop1(f, test = "Chisq")
      p <- dr[["Pr(>Chi)"]][-1]; names(p) <- current
      worst <- which.max(p)
      if (p[worst] >= 0.05) current <- current[-worst] else break
    }
    model$retained <- I(current)
    if (length(current)) {
      s <- summary(f)
      terms <- list()
      for (cv in current) {
        if (is.factor(md[[cv]])) {
          for (l in levels(md[[cv]])[-1]) {
            nm <- paste0(cv, l)
            terms[[length(terms) + 1]] <- list(covariate = cv, level = l, hr = s$conf.int[nm, 1], hr_lower = s$conf.int[nm, 3], hr_upper = s$conf.int[nm, 4], p = s$coefficients[nm, 5])
          }
        } else {
          nm <- cv
          terms[[length(terms) + 1]] <- list(covariate = cv, level = NA, hr = s$conf.int[nm, 1], hr_lower = s$conf.int[nm, 3], hr_upper = s$conf.int[nm, 4], p = s$coefficients[nm, 5])
        }
      }
      model$terms <- terms
    }
  }
  out[[ep]] <- list(landmarks = sapply(c(12, 24, 36), function(t) rate_at(overall, t)), univariate = uni, model = model)
  # PFS and OS are patient-level events: also one row per patient from the first SBRT.
  if (ep != "lc") {
    first <- !duplicated(d$patient_id)
    pp <- survfit(Surv(time[first], event[first]) ~ 1)
    q <- quantile(pp, 0.5)
    out[[ep]]$per_patient <- list(n = sum(first), events = sum(event[first]),
      landmarks = sapply(c(12, 24, 36), function(t) rate_at(pp, t)),
      median = unname(q$quantile), median_lower = unname(q$lower), median_upper = unname(q$upper))
  }
}
# PFS and OS of lesion rows from each lesion's own SBRT (study origin =
# "lesion_sbrt"): lesions treated after their patient progressed have no PFS
# of their own from that start and are left out of PFS.
own <- is.finite(pfs_date) & pfs_date < sbrt
patients0 <- !duplicated(d$patient_id)
pfs_lesion <- survfit(Surv(((ifelse(is.finite(pfs_date), pfs_date, end) - sbrt) / month)[!own], d$pfs_event[!own]) ~ 1)
os_lesion <- survfit(Surv((end - sbrt) / month, d$os_event) ~ 1)
origin_lesion <- list(
  pfs = list(n = sum(!own), landmarks = sapply(c(12, 24, 36), function(t) rate_at(pfs_lesion, t))),
  os = list(n = nrow(d), landmarks = sapply(c(12, 24, 36), function(t) rate_at(os_lesion, t))))
# OS in a landmark analysis from 6 months (study landmark_months = 6):
# lesion rows (and patients) still under observation after 6 months, time
# counted from the landmark.
after <- d$os_time > 6
os_landmark <- survfit(Surv(d$os_time[after] - 6, d$os_event[after]) ~ 1)
os_landmark_patients <- survfit(Surv(d$os_time[after & patients0] - 6, d$os_event[after & patients0]) ~ 1)
landmark_os <- list(
  n = sum(after), left_out = sum(!after), landmarks = sapply(c(12, 24, 36), function(t) rate_at(os_landmark, t)),
  per_patient = list(n = sum(after & patients0), landmarks = sapply(c(12, 24, 36), function(t) rate_at(os_landmark_patients, t))))
# The Robustness section on the same cohort.
suppressPackageStartupMessages(library(cmprsk))
lc_status <- ifelse(!is.na(lf), 1, ifelse(!is.na(d$death_date), 2, 0))
ci <- cuminc(d$lc_time, lc_status, cencode = 0)
tp <- timepoints(ci, c(12, 24, 36))
lv <- covariates$levels$f()
gray_levels <- cuminc(d$lc_time, lc_status, droplevels(lv), cencode = 0)$Tests["1", "pv"]
patients <- !duplicated(d$patient_id)
rev_km <- quantile(survfit(Surv(d$os_time[patients], 1 - d$os_event[patients]) ~ 1), 0.5)
lc_model <- out$lc$model$retained
md <- data.frame(time = d$lc_time, event = d$lc_event, status = lc_status, cluster = d$patient_id)
for (cv in lc_model) md[[cv]] <- covariates[[cv]]$f()
md <- md[complete.cases(md), ]
for (cv in lc_model) if (is.factor(md[[cv]])) md[[cv]] <- droplevels(md[[cv]])
f_rob <- coxph(as.formula(paste("Surv(time, event) ~", paste(lc_model, collapse = " + "))), data = md, cluster = cluster)
zph <- cox.zph(coxph(as.formula(paste("Surv(time, event) ~", paste(lc_model, collapse = " + "))), data = md))$table
fg <- crr(md$time, md$status, model.matrix(as.formula(paste("~", paste(lc_model, collapse = " + "))), md)[, -1, drop = FALSE], gtol = 1e-10, maxiter = 200)
robust <- list(
  cif_landmarks = unname(tp$est["1 1", ]),
  gray_levels_p = gray_levels,
  reverse_km_median = unname(rev_km$quantile), reverse_km_lower = unname(rev_km$lower), reverse_km_upper = unname(rev_km$upper),
  lc_robust_se = unname(sqrt(diag(f_rob$var))), lc_naive_se = unname(sqrt(diag(f_rob$naive.var))),
  lc_robust_p = unname(summary(f_rob)$coefficients[, "Pr(>|z|)"]),
  lc_zph_p = unname(zph[, "p"]),
  lc_fine_gray_hr = unname(exp(fg$coef)), lc_fine_gray_p = unname(2 * pnorm(-abs(fg$coef / sqrt(diag(fg$var))))))

# Figure 2A adjusted (study adjust_for): PFS by extent adjusted for age and
# disease status by direct adjustment, each level's survfit(newdata) curves
# averaged over the model's rows; p by the likelihood-ratio test of extent.
ad <- data.frame(time = d$pfs_time, event = d$pfs_event, extent = covariates$extent$f(),
                 age = covariates$age$f(), disease_status = covariates$disease_status$f())
ad <- ad[complete.cases(ad), ]
for (cv in c("extent", "age", "disease_status")) ad[[cv]] <- droplevels(ad[[cv]])
fit_adj <- coxph(Surv(time, event) ~ extent + age + disease_status, data = ad)
fit_red <- coxph(Surv(time, event) ~ age + disease_status, data = ad)
adjusted_pfs <- list(
  n = nrow(ad), events = sum(ad$event),
  p = pchisq(2 * (fit_adj$loglik[2] - fit_red$loglik[2]), nlevels(ad$extent) - 1, lower.tail = FALSE),
  curves = lapply(levels(ad$extent), function(l) {
    nd <- ad
    nd$extent <- factor(l, levels = levels(ad$extent))
    sf <- survfit(fit_adj, newdata = nd)
    list(label = l, time = sf$time, surv = unname(rowMeans(sf$surv)))
  }))

# Vertebral compression fracture (study [spine_outcomes]): per lesion from
# its SBRT, the earlier of vcf_date and a 'Spinal fracture'/'Fracture' event
# of the lesion in the events table; death without fracture competing.
# Cumulative incidence (cuminc) overall and by SINS group (0-6, 7-12, 13-18)
# and by a fracture before SBRT; Gray's test; univariate Fine-Gray (crr).
ev <- read.csv("examples/spine_sarcoma_synthetic_events.csv", stringsAsFactors = FALSE, na.strings = c("", "NA"))
fr <- ev[ev$term %in% c("Spinal fracture", "Fracture") & !is.na(ev$lesion_id), ]
fr_day <- tapply(day(fr$event_date), fr$lesion_id, min)
vcf_day <- pmin(day(d$vcf_date), fr_day[d$lesion_id], na.rm = TRUE)
vcf_status <- ifelse(!is.na(vcf_day), 1, ifelse(!is.na(d$death_date), 2, 0))
vcf_time <- (ifelse(is.na(vcf_day), end, vcf_day) - sbrt) / month
cif_at <- function(time, status) {
  # A group without a fracture has no row in cuminc: its incidence is 0
  # up to its last time and unknown after (as timepoints() reads a curve).
  if (!any(status == 1)) return(ifelse(c(12, 24, 36) <= max(time), 0, NA))
  tp <- timepoints(cuminc(time, status, cencode = 0), c(12, 24, 36))
  unname(tp$est["1 1", ])
}
sins <- d$sins_location + d$sins_pain + d$sins_bone_lesion + d$sins_alignment + d$sins_collapse + d$sins_posterolateral
stopifnot(all(is.na(d$sins) | d$sins == sins))
vcf_factor <- function(g) {
  keep <- !is.na(g)
  g <- droplevels(g[keep]); t <- vcf_time[keep]; s <- vcf_status[keep]
  # A level without a fracture makes the subdistribution HR infinite or 0
  # (crr returns a meaningless finite value): sbrt reports none.
  estimable <- all(tapply(s == 1, g, any))
  fg <- if (estimable) crr(t, s, model.matrix(~ g)[, -1, drop = FALSE], gtol = 1e-10, maxiter = 200)
  list(gray_p = cuminc(t, s, g, cencode = 0)$Tests["1", "pv"],
       levels = lapply(levels(g), function(l) list(label = l, n = sum(g == l), fractures = sum(s[g == l] == 1),
                                                   cif = cif_at(t[g == l], s[g == l]))),
       shr = if (estimable) unname(exp(fg$coef)), shr_p = if (estimable) unname(2 * pnorm(-abs(fg$coef / sqrt(diag(fg$var))))))
}
vcf <- list(
  fractures = sum(vcf_status == 1), deaths_without_fracture = sum(vcf_status == 2),
  cif = cif_at(vcf_time, vcf_status),
  sins = vcf_factor(cut(d$sins, c(-Inf, 6, 12, Inf), labels = c("0–6", "7–12", "13–18"))),
  vcf_baseline = vcf_factor(factor(ifelse(d$vcf_baseline == "yes", "Yes", "No"), levels = c("No", "Yes"))))

writeLines(toJSON(list(generated_by = "tests/reference/study.R", vcf = vcf, robustness = robust, origin_lesion = origin_lesion, landmark_os = landmark_os, adjusted_pfs = adjusted_pfs, cmprsk_version = as.character(packageVersion("cmprsk")), survival_version = as.character(packageVersion("survival")), endpoints = out),
                  auto_unbox = TRUE, digits = NA, na = "null", null = "null", pretty = TRUE), "tests/reference/study.json")
cat("wrote tests/reference/study.json\n")
