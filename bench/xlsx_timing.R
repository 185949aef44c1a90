# What R takes to do from a cohort .xlsx what `sbrt analyze` starts with:
# read the sheet (readxl), derive overall survival from SBRT start, and fit
# one multivariable Cox model of it (Efron). Prints the seconds of the
# reading and of all of it, measured inside one R process; the caller
# times the whole process too. Usage: Rscript bench/xlsx_timing.R FILE.xlsx
suppressPackageStartupMessages({ library(readxl); library(survival) })
file <- commandArgs(TRUE)[1]
start <- proc.time()[["elapsed"]]
d <- read_excel(file, sheet = 1, guess_max = 10000)
read <- proc.time()[["elapsed"]] - start
end <- as.Date(ifelse(is.na(d$death_date), as.character(d$last_followup_date), as.character(d$death_date)))
d$os_months <- as.numeric(end - as.Date(d$sbrt_date)) / 30.4375
d$death <- as.integer(!is.na(d$death_date))
per_fraction <- d$dose_gy / d$fractions
d$bed <- d$dose_gy * (1 + per_fraction / 5)
fit <- coxph(Surv(os_months, death) ~ age + sex + histology + disease_status + bed + ptv_cc, data = d)
all <- proc.time()[["elapsed"]] - start
cat(read, all, length(coef(fit)), "\n")
