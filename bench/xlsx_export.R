# Write a cohort CSV (from `sbrt simulate`) as the .xlsx a clinic keeps:
# native date cells for the *_date columns, numbers as numbers, the rest
# as text, one sheet. Usage: Rscript bench/xlsx_export.R IN.csv OUT.xlsx
suppressPackageStartupMessages(library(openxlsx))
args <- commandArgs(TRUE)
d <- read.csv(args[1], colClasses = "character", na.strings = "")
for (name in names(d)) {
  if (grepl("_date$", name)) {
    d[[name]] <- as.Date(d[[name]])
  } else {
    d[[name]] <- type.convert(d[[name]], as.is = TRUE)
  }
}
write.xlsx(d, args[2], sheetName = "cohort")
