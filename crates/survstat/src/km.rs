//! Kaplan-Meier estimate of the survival function (R `survfit`, KM type).
//!
//! Sort the observations by time and, at each distinct time `t_j`, count
//! `n_j` at risk (time >= `t_j`), `d_j` events and `c_j` censorings. Then
//!
//! ```text
//! S(t)          = prod_{t_j <= t} (1 - d_j / n_j)
//! var(H)(t)     = sum_{t_j <= t} d_j / (n_j (n_j - d_j))      (Greenwood)
//! se(S)(t)      = S(t) sqrt(var(H)(t))                        (survival scale)
//! ```
//!
//! The Greenwood sum is infinite once every subject at risk fails; the
//! standard error is then undefined (`None`), as R reports `NaN`.
//!
//! With delayed entry (counting-process data `(entry, time]`, R
//! `Surv(start, stop, event)`), an observation is at risk at `t` when
//! `entry < t <= time`, so `n_j = #{entry < t_j} − #{time < t_j}`; the
//! steps are at the distinct `time` values and every formula above is
//! unchanged ([`KaplanMeier::fit_with_entry`]).
//!
//! Each step also carries the Nelson-Aalen cumulative hazard and its
//! standard error, as R's `survfit` reports them (`cumhaz`, `std.chaz`,
//! the default `ctype = 1`):
//!
//! ```text
//! Λ(t)          = sum_{t_j <= t} d_j / n_j
//! se(Λ)(t)      = sqrt(sum_{t_j <= t} d_j / n_j²)
//! ```
//!
//! **Case weights** (R `survfit(..., weights = w)`): `n_j`, `d_j` and `c_j`
//! become sums of weights and every formula above is unchanged while the
//! weights are whole numbers (a weight of k is k identical rows). When a
//! weight is not a whole number R switches to the infinitesimal-jackknife
//! (robust) variance, and so does this estimator
//! ([`KaplanMeier::fit_weighted`]): with `h_j = d_j / n_j` and row i at risk
//! on `(e_i, x_i]` with event indicator `δ_i`, the influence of row i on
//! `log S(t)` and on `Λ(t)` is
//!
//! ```text
//! I_i(t)  = Σ_{t_j <= t} (δ_i [x_i = t_j] − Y_i(t_j) h_j) / (n_j (1 − h_j))
//! J_i(t)  = Σ_{t_j <= t} (δ_i [x_i = t_j] − Y_i(t_j) h_j) / n_j
//! var(H)(t) = Σ_i (w_i I_i(t))²,     se(Λ)(t)² = Σ_i (w_i J_i(t))²
//! ```
//!
//! (R's `survfitkm` with `influence`; the confidence limits then use this
//! `var(H)`). Both sums are kept in one pass: a row still at risk has
//! `I_i(t) = A(t) − A(e_i)` with `A` the running sum of
//! `h_j / (n_j (1 − h_j))`, so `Σ w_i² I_i²` over the risk set is
//! `A² Σw² − 2A Σw²A(e) + Σw²A(e)²`; a row that leaves adds its final
//! `(w_i I_i)²` to a closed sum.
//!
//! Confidence intervals at level `1 - α`, `z = Φ⁻¹(1 - α/2)`, `s = sqrt(var H)`,
//! follow R's `survfit_confint`:
//!
//! * `log` (R's default): `S exp(±z s)`, upper bound capped at 1; undefined at `S = 0`;
//! * `log-log`: `exp(-exp(log(-log S) ∓ z s / log S))`; undefined at `S ∈ {0, 1}`;
//! * `plain`: `S ± z S s`, clipped to [0, 1].
//!
//! Quantiles (and so the median) follow R's `quantile.survfit`: the
//! quantile `p` of the curve is the first time at which `1 - S(t) >= p`;
//! when `1 - S` equals `p` (within `sqrt(eps)`) along a flat segment, the
//! quantile is the midpoint of that segment, from the time where it is
//! reached to the next time where the curve drops (or to the last
//! observation time when the curve never drops again). The confidence
//! limits of a quantile apply the same rule to the lower and upper
//! confidence curves.

use crate::dist::normal_quantile;
use crate::radix;
use crate::Interval;

/// How the pointwise confidence interval is formed (R's `conf.type`
/// spellings when serialised: `log`, `log-log`, `plain`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "kebab-case"))]
pub enum ConfType {
    /// On the log scale (R's default, `conf.type = "log"`).
    Log,
    /// On the log(-log) scale (`conf.type = "log-log"`).
    LogLog,
    /// On the survival scale (`conf.type = "plain"`).
    Plain,
}

/// Confidence interval settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConfSpec {
    /// The interval's form.
    pub conf_type: ConfType,
    /// Coverage, e.g. 0.95.
    pub level: f64,
}

impl Default for ConfSpec {
    fn default() -> Self {
        ConfSpec { conf_type: ConfType::Log, level: 0.95 }
    }
}

impl ConfSpec {
    /// The two-sided normal critical value `Φ⁻¹(1 - (1 - level)/2)`.
    pub fn z(&self) -> f64 {
        normal_quantile(1.0 - (1.0 - self.level) / 2.0)
    }

    /// Lower and upper bounds for a survival probability `surv` whose
    /// cumulative hazard has standard error `se_cumhaz`; `z` is [`Self::z`],
    /// computed once by the caller (a normal quantile per step of a curve
    /// with a million steps was most of its cost).
    pub fn interval(&self, z: f64, surv: f64, se_cumhaz: f64) -> (Option<f64>, Option<f64>) {
        let finite = |v: f64| if v.is_finite() { Some(v) } else { None };
        if !se_cumhaz.is_finite() {
            return (None, None);
        }
        match self.conf_type {
            ConfType::Plain => {
                let half = z * se_cumhaz * surv;
                (finite((surv - half).max(0.0)), finite((surv + half).min(1.0)))
            }
            ConfType::Log => {
                if surv <= 0.0 {
                    return (None, None);
                }
                let half = z * se_cumhaz;
                let ls = surv.ln();
                (finite((ls - half).exp()), finite((ls + half).exp().min(1.0)))
            }
            ConfType::LogLog => {
                if surv <= 0.0 || surv >= 1.0 {
                    return (None, None);
                }
                let ls = surv.ln();
                let half = z * se_cumhaz / ls;
                let lls = (-ls).ln();
                (finite((-(lls - half).exp()).exp()), finite((-(lls + half).exp()).exp()))
            }
        }
    }
}

/// One distinct observation time of the curve.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct KmStep {
    /// The time.
    pub time: f64,
    /// Number at risk just before `time` (sum of weights with case weights).
    #[cfg_attr(feature = "serde", serde(serialize_with = "crate::serialize_count"))]
    pub n_risk: f64,
    /// Number of events at `time`.
    #[cfg_attr(feature = "serde", serde(serialize_with = "crate::serialize_count"))]
    pub n_event: f64,
    /// Number censored at `time`.
    #[cfg_attr(feature = "serde", serde(serialize_with = "crate::serialize_count"))]
    pub n_censor: f64,
    /// Survival just after `time`.
    pub surv: f64,
    /// Standard error of the cumulative hazard (Greenwood); infinite once `surv = 0`.
    pub se_cumhaz: f64,
    /// Standard error of `surv` (`surv * se_cumhaz`); `None` where undefined.
    pub std_err: Option<f64>,
    /// Lower confidence bound.
    pub lower: Option<f64>,
    /// Upper confidence bound.
    pub upper: Option<f64>,
    /// Nelson-Aalen cumulative hazard just after `time` (R `cumhaz`).
    pub cumhaz: f64,
    /// Its standard error (R `std.chaz`).
    pub std_chaz: f64,
}

/// The curve read off at a requested time (R `summary(fit, times = )`).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct KmAt {
    /// The requested time.
    pub time: f64,
    /// Number at risk at `time` (observation time >= `time`; sum of weights).
    #[cfg_attr(feature = "serde", serde(serialize_with = "crate::serialize_count"))]
    pub n_risk: f64,
    /// `S(time)`; `None` beyond the last observation time, where the curve is not
    /// estimated (unless it has already reached 0).
    pub surv: Option<f64>,
    /// Standard error of `S(time)`.
    pub std_err: Option<f64>,
    /// Lower confidence bound.
    pub lower: Option<f64>,
    /// Upper confidence bound.
    pub upper: Option<f64>,
    /// Nelson-Aalen cumulative hazard at `time` (`None` where `surv` is).
    pub cumhaz: Option<f64>,
    /// Its standard error.
    pub std_chaz: Option<f64>,
}

/// A fitted Kaplan-Meier curve.
#[derive(Debug, Clone, PartialEq)]
pub struct KaplanMeier {
    /// Number of observations (rows, not weights).
    pub n: usize,
    /// Number of events (rows, not weights).
    pub events: usize,
    /// One row per distinct time, ascending.
    pub steps: Vec<KmStep>,
    /// The confidence settings the bounds were computed with.
    pub conf: ConfSpec,
}

impl KaplanMeier {
    /// Fit the curve to right-censored data (`event[i]` true for an event).
    ///
    /// Times must be finite; `time` and `event` must have the same length.
    pub fn fit(time: &[f64], event: &[bool], conf: ConfSpec) -> KaplanMeier {
        KaplanMeier::fit_weighted(None, time, event, None, conf)
    }

    /// Fit the curve to counting-process data: observation `i` is at risk on
    /// `(entry[i], time[i]]` (delayed entry, left truncation), with an event
    /// at `time[i]` when `event[i]`. Each `entry[i] < time[i]`.
    pub fn fit_with_entry(entry: &[f64], time: &[f64], event: &[bool], conf: ConfSpec) -> KaplanMeier {
        KaplanMeier::fit_weighted(Some(entry), time, event, None, conf)
    }

    /// The curve with optional delayed entry and optional case weights
    /// (each finite and > 0): Greenwood's variance on the weighted counts,
    /// or the infinitesimal-jackknife variance when a weight is not a whole
    /// number (as R; see the module notes).
    pub fn fit_weighted(
        entry: Option<&[f64]>,
        time: &[f64],
        event: &[bool],
        weights: Option<&[f64]>,
        conf: ConfSpec,
    ) -> KaplanMeier {
        let n = time.len();
        assert!(
            event.len() == n && entry.is_none_or(|e| e.len() == n) && weights.is_none_or(|w| w.len() == n),
            "entry, time, event and weight lengths differ"
        );
        let weight = |i: usize| weights.map_or(1.0, |w| w[i]);
        // Rows by exit time, and (with entries) by entry time: radix sorts
        // of (key, row), ties in row order.
        let in_order = |t: &[f64]| radix::order_by(t.iter().copied().zip(0..).collect(), radix::ascending);
        let (by_exit, exit_time) = in_order(time);
        let by_entry: Vec<usize> = entry.map_or_else(Vec::new, |e| in_order(e).0);
        // Times (above), events and weights in exit order, gathered once so
        // that the pass over the distinct times reads them in sequence.
        let exit_event: Vec<bool> = by_exit.iter().map(|&k| event[k]).collect();
        let exit_weights: Option<Vec<f64>> = weights.map(|w| by_exit.iter().map(|&k| w[k]).collect());
        let exit_weight = |j: usize| exit_weights.as_ref().map_or(1.0, |w| w[j]);
        let z = conf.z();
        let jackknife = weights.is_some_and(|w| w.iter().any(|w| w.fract() != 0.0));
        let mut log_surv = Influence::new(if jackknife { n } else { 0 });
        let mut hazard = Influence::new(if jackknife { n } else { 0 });
        let mut steps = Vec::new();
        let (mut surv, mut greenwood, mut cumhaz, mut var_chaz) = (1.0, 0.0, 0.0, 0.0);
        // Without entries the risk set is a suffix of the rows by exit time,
        // its weight summed from the end (no drift from subtracting); with
        // entries, the weight entered so far less the weight that has left.
        let mut suffix = vec![0.0; if entry.is_none() { n + 1 } else { 0 }];
        for k in (0..suffix.len().saturating_sub(1)).rev() {
            suffix[k] = suffix[k + 1] + exit_weight(k);
        }
        let mut entered = 0.0;
        let (mut next_entry, mut left, mut i) = (0, 0.0, 0);
        if jackknife && entry.is_none() {
            (0..n).for_each(|k| {
                log_surv.enter(k, weight(k));
                hazard.enter(k, weight(k));
            });
        }
        while i < n {
            let t = exit_time[i];
            if let Some(e) = entry {
                while next_entry < n && e[by_entry[next_entry]] < t {
                    let k = by_entry[next_entry];
                    entered += weight(k);
                    if jackknife {
                        log_surv.enter(k, weight(k));
                        hazard.enter(k, weight(k));
                    }
                    next_entry += 1;
                }
            }
            let at_risk = if entry.is_some() { entered - left } else { suffix[i] };
            let end = i + exit_time[i..].iter().take_while(|&&u| u == t).count();
            let leaving = &by_exit[i..end];
            let d: f64 = (i..end).filter(|&j| exit_event[j]).map(exit_weight).sum();
            let c: f64 = (i..end).filter(|&j| !exit_event[j]).map(exit_weight).sum();
            if d > 0.0 {
                let h = d / at_risk;
                cumhaz += h;
                var_chaz += d / (at_risk * at_risk);
                surv *= 1.0 - h;
                greenwood += if at_risk > d { d / (at_risk * (at_risk - d)) } else { f64::INFINITY };
                if jackknife {
                    log_surv.event_time(h / (at_risk * (1.0 - h)), 1.0 / (at_risk * (1.0 - h)));
                    hazard.event_time(h / at_risk, 1.0 / at_risk);
                }
            }
            if jackknife {
                for &k in leaving {
                    log_surv.leave(k, weight(k), event[k]);
                    hazard.leave(k, weight(k), event[k]);
                }
            }
            left += d + c;
            i = end;
            let se_cumhaz = if jackknife { log_surv.variance().sqrt() } else { greenwood.sqrt() };
            let (lower, upper) = conf.interval(z, surv, se_cumhaz);
            // Once S = 0 its jackknife influence S·I_i is 0 (R: std.err 0);
            // Greenwood's variance of log S is infinite there (R: NaN).
            let std_err = if jackknife && surv == 0.0 { Some(0.0) } else { Some(surv * se_cumhaz) };
            steps.push(KmStep {
                time: t,
                n_risk: at_risk,
                n_event: d,
                n_censor: c,
                surv,
                se_cumhaz,
                std_err: std_err.filter(|v| v.is_finite()),
                lower,
                upper,
                cumhaz,
                std_chaz: if jackknife { hazard.variance().sqrt() } else { var_chaz.sqrt() },
            });
        }
        let events = event.iter().filter(|&&e| e).count();
        KaplanMeier { n, events, steps, conf }
    }

    /// The curve at time `t` (a step function, right-continuous).
    pub fn at(&self, t: f64) -> KmAt {
        let n_risk = self.n_at_risk(t);
        let unknown =
            KmAt { time: t, n_risk, surv: None, std_err: None, lower: None, upper: None, cumhaz: None, std_chaz: None };
        let Some(last) = self.steps.last() else { return unknown };
        if t > last.time {
            // Beyond the data the curve is unknown, unless it has reached 0 (and stays there).
            return KmAt { surv: (last.surv == 0.0).then_some(0.0), ..unknown };
        }
        let k = self.steps.partition_point(|s| s.time <= t);
        if k == 0 {
            // Before the first time R's summary() reports the limits as 1
            // for every interval type (log-log is otherwise undefined at S = 1).
            let (zero, one) = (Some(0.0), Some(1.0));
            return KmAt { surv: one, std_err: zero, lower: one, upper: one, cumhaz: zero, std_chaz: zero, ..unknown };
        }
        let s = &self.steps[k - 1];
        KmAt {
            surv: Some(s.surv),
            std_err: s.std_err,
            lower: s.lower,
            upper: s.upper,
            cumhaz: Some(s.cumhaz),
            std_chaz: Some(s.std_chaz),
            ..unknown
        }
    }

    /// Number of observations with time `>= t`.
    pub fn n_at_risk(&self, t: f64) -> f64 {
        let k = self.steps.partition_point(|s| s.time < t);
        self.steps.get(k).map_or(0.0, |s| s.n_risk)
    }

    /// The median survival time and its confidence limits.
    pub fn median(&self) -> Interval {
        self.quantile(0.5)
    }

    /// The `p` quantile of the event-time distribution (time where `1 - S` reaches `p`).
    pub fn quantile(&self, p: f64) -> Interval {
        let times: Vec<f64> = self.steps.iter().map(|s| s.time).collect();
        let curve = |f: &dyn Fn(&KmStep) -> Option<f64>| -> Vec<Option<f64>> {
            self.steps.iter().map(|s| f(s).map(|v| 1.0 - v)).collect()
        };
        let estimate = find_quantile(&times, &curve(&|s| Some(s.surv)), p);
        let lower = find_quantile(&times, &curve(&|s| s.lower), p);
        let upper = find_quantile(&times, &curve(&|s| s.upper), p);
        Interval { estimate, lower, upper }
    }
}

/// The running sums of one infinitesimal-jackknife variance (see the module
/// notes): `A` and the current event time's `B`, the risk set's `Σw²`,
/// `Σw²A(e)`, `Σw²A(e)²`, and the closed sum of the rows that have left.
struct Influence {
    a: f64,
    b: f64,
    at_entry: Vec<f64>,
    s0: f64,
    s1: f64,
    s2: f64,
    closed: f64,
}

impl Influence {
    fn new(n: usize) -> Influence {
        Influence { a: 0.0, b: 0.0, at_entry: vec![0.0; n], s0: 0.0, s1: 0.0, s2: 0.0, closed: 0.0 }
    }

    /// Row `k` of weight `w` joins the risk set.
    fn enter(&mut self, k: usize, w: f64) {
        let (w2, a) = (w * w, self.a);
        self.at_entry[k] = a;
        self.s0 += w2;
        self.s1 += w2 * a;
        self.s2 += w2 * a * a;
    }

    /// An event time: `A += increment`, and the events' own term `b`.
    fn event_time(&mut self, increment: f64, b: f64) {
        self.a += increment;
        self.b = b;
    }

    /// Row `k` leaves at the current time (with an event there when `died`).
    fn leave(&mut self, k: usize, w: f64, died: bool) {
        let (w2, e) = (w * w, self.at_entry[k]);
        let influence = if died { self.b } else { 0.0 } - (self.a - e);
        self.closed += w2 * influence * influence;
        self.s0 -= w2;
        self.s1 -= w2 * e;
        self.s2 -= w2 * e * e;
    }

    /// `Σ_i (w_i I_i(t))²` now.
    fn variance(&self) -> f64 {
        let a = self.a;
        self.closed + (a * a * self.s0 - 2.0 * a * self.s1 + self.s2).max(0.0)
    }
}

/// R's `findq`: where the non-decreasing curve `y` (with `y = 0` at time 0
/// prepended) first reaches `p`, with the flat-segment midpoint rule.
/// `None` entries of `y` (undefined bounds) are skipped.
fn find_quantile(times: &[f64], y: &[Option<f64>], p: f64) -> Option<f64> {
    let tol = crate::timefix::DEFAULT_TOLERANCE;
    let xmax = *times.last()?;
    // Prepend the origin, drop repeated y values (keep the first).
    let mut xs = vec![0.0];
    let mut ys = vec![Some(0.0)];
    let mut seen: std::collections::HashSet<Option<u64>> = std::collections::HashSet::new();
    seen.insert(Some(0f64.to_bits()));
    for (&t, &v) in times.iter().zip(y) {
        if seen.insert(v.map(|v| (v + 0.0).to_bits())) {
            xs.push(t);
            ys.push(v);
        }
    }
    let max_y = ys.iter().flatten().copied().fold(f64::NEG_INFINITY, f64::max);
    if max_y < p {
        return None;
    }
    let defined: Vec<(usize, f64)> = ys.iter().enumerate().filter_map(|(i, v)| v.map(|v| (i, v))).collect();
    // approx(y + shift, index, p, method = "constant", f = 1)
    let step_index = |shift: f64| -> Option<usize> {
        let first = defined.first()?;
        let last = defined.last()?;
        if p < first.1 + shift || p > last.1 + shift {
            return None;
        }
        defined.iter().find(|(_, v)| v + shift >= p).map(|(i, _)| *i)
    };
    let i1 = step_index(tol);
    let i2 = step_index(-tol);
    if let Some(Some(y_last)) = ys.last() {
        if (p - y_last).abs() < tol {
            return i1.map(|i| (xs[i] + xmax) / 2.0);
        }
    }
    Some((xs[i1?] + xs[i2?]) / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Entries at 0, 0, 1, 2, 0, 3 and exits at 1..6 (events at 1, 3, 4,
    /// 6): at risk 3, 3, 3, 3, 2, 1 (R `survfit(Surv(start, stop, event) ~ 1)`).
    #[test]
    fn delayed_entry_counts_the_risk_set_between_entry_and_exit() {
        let km = KaplanMeier::fit_with_entry(
            &[0.0, 0.0, 1.0, 2.0, 0.0, 3.0],
            &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            &[true, false, true, true, false, true],
            ConfSpec::default(),
        );
        let at_risk: Vec<f64> = km.steps.iter().map(|s| s.n_risk).collect();
        assert_eq!(at_risk, [3.0, 3.0, 3.0, 3.0, 2.0, 1.0]);
        let surv: Vec<f64> = km.steps.iter().map(|s| s.surv).collect();
        let want = [2.0 / 3.0, 2.0 / 3.0, 4.0 / 9.0, 8.0 / 27.0, 8.0 / 27.0, 0.0];
        assert!(surv.iter().zip(want).all(|(a, b)| (a - b).abs() < 1e-15), "{surv:?}");
        // Without late entries it is the ordinary curve.
        let t = [1.0, 2.0, 2.0, 5.0];
        let e = [true, false, true, true];
        assert_eq!(
            KaplanMeier::fit_with_entry(&[0.0; 4], &t, &e, ConfSpec::default()),
            KaplanMeier::fit(&t, &e, ConfSpec::default())
        );
    }

    #[test]
    fn product_limit_and_greenwood_by_hand() {
        // times 1,2,2+,3,4 ; events at 1, 2, 3, 4
        let t = [1.0, 2.0, 2.0, 3.0, 4.0];
        let e = [true, true, false, true, true];
        let km = KaplanMeier::fit(&t, &e, ConfSpec::default());
        for (step, want) in km.steps.iter().zip([0.8, 0.6, 0.3, 0.0]) {
            assert!((step.surv - want).abs() < 1e-15);
        }
        let gw: f64 = 1.0 / 20.0 + 1.0 / 12.0;
        assert!((km.steps[1].se_cumhaz - gw.sqrt()).abs() < 1e-15);
        assert_eq!(km.steps[3].std_err, None);
        assert_eq!(km.steps[3].lower, None);
        assert_eq!(km.steps[1].n_censor, 1.0);
    }

    #[test]
    fn median_on_flat_segment_is_the_midpoint() {
        // S drops to exactly 0.5 at t = 2 and stays until t = 6.
        let t = [1.0, 2.0, 3.0, 6.0];
        let e = [true, true, false, true];
        let km = KaplanMeier::fit(&t, &e, ConfSpec::default());
        assert_eq!(km.median().estimate, Some(4.0));
    }

    #[test]
    fn median_not_reached_is_none() {
        let km = KaplanMeier::fit(&[1.0, 2.0, 3.0], &[true, false, false], ConfSpec::default());
        assert_eq!(km.median().estimate, None);
    }

    #[test]
    fn lookup_is_a_right_continuous_step() {
        let km = KaplanMeier::fit(&[1.0, 2.0, 3.0, 4.0], &[true; 4], ConfSpec::default());
        assert_eq!(km.at(0.5).surv, Some(1.0));
        assert_eq!(km.at(1.0).surv, Some(0.75));
        assert_eq!(km.at(1.5).n_risk, 3.0);
        assert_eq!(km.at(5.0).surv, Some(0.0));
        let censored_last = KaplanMeier::fit(&[1.0, 2.0], &[true, false], ConfSpec::default());
        assert_eq!(censored_last.at(3.0).surv, None);
    }
}
