# Writes the survival table a registry hands out, as R exports it:
# write.csv with a quoted header and quoted strings, numbers with 15
# significant digits. n rows of time (months, exponential, unrounded),
# status (0/1), group ("a", "b", "c") and x1..x10 (standard normal).
# Usage: Rscript bench/r_export.R N FILE
args <- commandArgs(TRUE)
n <- as.numeric(args[1])
set.seed(20261128)
x <- matrix(rnorm(n * 10), n)
colnames(x) <- paste0("x", 1:10)
lp <- drop(x %*% c(.3, -.2, .1, 0, .25, -.15, .05, .2, -.1, 0))
group <- sample(c("a", "b", "c"), n, TRUE)
te <- rexp(n, exp(lp + .2 * (group == "b")) / 24)
tc <- runif(n, 0, 60)
d <- data.frame(time = pmin(te, tc), status = as.integer(te <= tc), group = group, x)
write.csv(d, args[2], row.names = FALSE)
