//! Properties every estimator must have, on random data (proptest).

use proptest::prelude::*;
use survstat::competing::CumulativeIncidence;
use survstat::cox::{fit, CoxData, CoxOptions, Ties};
use survstat::km::{ConfSpec, KaplanMeier};
use survstat::linalg::Matrix;
use survstat::logrank::logrank;

/// Right-censored data: times on a coarse grid (many ties), events, a covariate, a group.
fn data(max_n: usize) -> impl Strategy<Value = Vec<(f64, bool, f64, usize)>> {
    prop::collection::vec((1u32..40, any::<bool>(), -20i32..20, 0usize..3), 2..max_n)
        .prop_map(|v| v.into_iter().map(|(t, e, x, g)| (t as f64 / 2.0, e, x as f64 / 4.0, g)).collect())
}

fn permuted<T: Clone>(v: &[T], seed: u64) -> Vec<T> {
    let mut idx: Vec<usize> = (0..v.len()).collect();
    let mut s = seed | 1;
    for i in (1..idx.len()).rev() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        idx.swap(i, (s % (i as u64 + 1)) as usize);
    }
    idx.into_iter().map(|i| v[i].clone()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn km_is_a_non_increasing_product_limit_in_unit_interval(d in data(60)) {
        let t: Vec<f64> = d.iter().map(|r| r.0).collect();
        let e: Vec<bool> = d.iter().map(|r| r.1).collect();
        let km = KaplanMeier::fit(&t, &e, ConfSpec::default());
        let mut prev = 1.0;
        let mut product = 1.0;
        for s in &km.steps {
            prop_assert!(s.surv <= prev + 1e-15 && (0.0..=1.0).contains(&s.surv));
            // Product-limit formula from the raw data.
            let at_risk = t.iter().filter(|&&x| x >= s.time).count() as f64;
            let deaths = t.iter().zip(&e).filter(|(x, ev)| **x == s.time && **ev).count() as f64;
            product *= 1.0 - deaths / at_risk;
            prop_assert!((s.surv - product).abs() < 1e-12);
            if let (Some(l), Some(u)) = (s.lower, s.upper) {
                prop_assert!(l <= s.surv + 1e-12 && s.surv <= u + 1e-12);
            }
            prev = s.surv;
        }
    }

    #[test]
    fn km_and_logrank_do_not_depend_on_row_order(d in data(60), seed in any::<u64>()) {
        let p = permuted(&d, seed);
        let fit_of = |d: &[(f64, bool, f64, usize)]| {
            let t: Vec<f64> = d.iter().map(|r| r.0).collect();
            let e: Vec<bool> = d.iter().map(|r| r.1).collect();
            KaplanMeier::fit(&t, &e, ConfSpec::default()).steps
        };
        prop_assert_eq!(fit_of(&d), fit_of(&p));
        let lr = |d: &[(f64, bool, f64, usize)]| {
            let t: Vec<f64> = d.iter().map(|r| r.0).collect();
            let e: Vec<bool> = d.iter().map(|r| r.1).collect();
            let g: Vec<usize> = d.iter().map(|r| r.3).collect();
            logrank(&t, &e, &g, 3, None).ok().map(|r| r.chisq)
        };
        match (lr(&d), lr(&p)) {
            (Some(a), Some(b)) => prop_assert!((a - b).abs() <= 1e-9 * (1.0 + a.abs())),
            (a, b) => prop_assert_eq!(a.is_some(), b.is_some()),
        }
    }

    #[test]
    fn logrank_does_not_depend_on_group_labels(d in data(60)) {
        let t: Vec<f64> = d.iter().map(|r| r.0).collect();
        let e: Vec<bool> = d.iter().map(|r| r.1).collect();
        let g: Vec<usize> = d.iter().map(|r| r.3).collect();
        let relabelled: Vec<usize> = g.iter().map(|&x| [2, 0, 1][x]).collect();
        match (logrank(&t, &e, &g, 3, None), logrank(&t, &e, &relabelled, 3, None)) {
            (Ok(a), Ok(b)) => {
                prop_assert!((a.chisq - b.chisq).abs() <= 1e-8 * (1.0 + a.chisq.abs()));
                prop_assert_eq!(a.df, b.df);
            }
            (a, b) => prop_assert_eq!(a.is_ok(), b.is_ok()),
        }
    }

    #[test]
    fn cox_is_invariant_to_row_order_and_scales_with_the_covariate(d in data(50), seed in any::<u64>(), scale in 0.1f64..100.0) {
        let fit_of = |d: &[(f64, bool, f64, usize)], k: f64| {
            let t: Vec<f64> = d.iter().map(|r| r.0).collect();
            let e: Vec<bool> = d.iter().map(|r| r.1).collect();
            let x = Matrix { nrow: d.len(), ncol: 1, data: d.iter().map(|r| r.2 * k).collect() };
            fit(&CoxData { time: &t, event: &e, x: &x, strata: None, cluster: None , weights: None }, &CoxOptions::default()).ok()
        };
        let (Some(a), Some(b), Some(c)) = (fit_of(&d, 1.0), fit_of(&permuted(&d, seed), 1.0), fit_of(&d, scale)) else { return Ok(()) };
        if !a.converged || !a.warnings.is_empty() {
            return Ok(());
        }
        let (ba, bb, bc) = (a.terms[0].coef.unwrap(), b.terms[0].coef.unwrap(), c.terms[0].coef.unwrap());
        prop_assert!((ba - bb).abs() <= 1e-7 * (1.0 + ba.abs()), "{} vs {}", ba, bb);
        // β for x·k is β/k; the likelihood is the same.
        prop_assert!((bc * scale - ba).abs() <= 1e-6 * (1.0 + ba.abs()), "{} vs {}", bc * scale, ba);
        prop_assert!((a.loglik - c.loglik).abs() <= 1e-8 * a.loglik.abs().max(1.0));
    }

    #[test]
    fn cumulative_incidences_and_km_of_any_event_add_up_to_one(d in prop::collection::vec((1u32..30, 0u32..3), 2..60)) {
        let t: Vec<f64> = d.iter().map(|r| r.0 as f64).collect();
        let s: Vec<u32> = d.iter().map(|r| r.1).collect();
        let km = KaplanMeier::fit(&t, &s.iter().map(|&x| x != 0).collect::<Vec<_>>(), ConfSpec::default());
        let (c1, c2) = (CumulativeIncidence::fit(&t, &s, 1), CumulativeIncidence::fit(&t, &s, 2));
        for step in &km.steps {
            let f1 = c1.at(step.time, 0.95).estimate.unwrap();
            let f2 = c2.at(step.time, 0.95).estimate.unwrap();
            prop_assert!((f1 + f2 + step.surv - 1.0).abs() < 1e-12, "{} + {} + {}", f1, f2, step.surv);
        }
    }

    /// A whole-number case weight k is k identical rows: the weighted fits
    /// of Kaplan-Meier (Greenwood) and of Cox with Breslow ties equal the
    /// fits of the replicated data. (Not Efron's: R's weighted Efron splits a
    /// tied time into as many pieces as event rows, not as the weight total.)
    #[test]
    fn whole_number_weights_are_replicated_rows(d in data(40), k in prop::collection::vec(1u32..4, 40)) {
        let w: Vec<f64> = d.iter().zip(&k).map(|(_, &k)| k as f64).collect();
        let t: Vec<f64> = d.iter().map(|r| r.0).collect();
        let e: Vec<bool> = d.iter().map(|r| r.1).collect();
        let x: Vec<f64> = d.iter().map(|r| r.2).collect();
        let rep = |v: &[f64]| v.iter().zip(&w).flat_map(|(v, &w)| std::iter::repeat_n(*v, w as usize)).collect::<Vec<f64>>();
        let rep_e: Vec<bool> = e.iter().zip(&w).flat_map(|(e, &w)| std::iter::repeat_n(*e, w as usize)).collect();
        let weighted = KaplanMeier::fit_weighted(None, &t, &e, Some(&w), ConfSpec::default());
        let replicated = KaplanMeier::fit(&rep(&t), &rep_e, ConfSpec::default());
        prop_assert_eq!(weighted.steps.len(), replicated.steps.len());
        for (a, b) in weighted.steps.iter().zip(&replicated.steps) {
            prop_assert!((a.surv - b.surv).abs() < 1e-12 && (a.n_risk - b.n_risk).abs() < 1e-9);
            prop_assert!(a.se_cumhaz == b.se_cumhaz || (a.se_cumhaz - b.se_cumhaz).abs() < 1e-9 * b.se_cumhaz);
        }
        if e.iter().any(|&e| e) {
            let xm = Matrix { nrow: t.len(), ncol: 1, data: x.clone() };
            let xr = rep(&x);
            let xrm = Matrix { nrow: xr.len(), ncol: 1, data: xr };
            let (tr, opts) = (rep(&t), CoxOptions { ties: Ties::Breslow, ..CoxOptions::default() });
            let a = fit(&CoxData { time: &t, event: &e, x: &xm, strata: None, cluster: None, weights: Some(&w) }, &opts);
            let b = fit(&CoxData { time: &tr, event: &rep_e, x: &xrm, strata: None, cluster: None, weights: None }, &opts);
            if let (Ok(a), Ok(b)) = (a, b) {
                // Only where both converged: under monotone likelihood
                // (β running off to infinity, the log-likelihood creeping
                // up to its bound as e^(-cβ)) a fit stopped at the
                // iteration limit sits wherever its own rounding took it.
                if a.converged && b.converged {
                    prop_assert!((a.loglik - b.loglik).abs() < 1e-7 * b.loglik.abs().max(1.0));
                }
                // Where both are estimable (a flat likelihood may be called
                // aliased in one and not the other by rounding).
                if let (true, Some(ca), Some(cb)) = (b.converged && b.warnings.is_empty() && a.warnings.is_empty(), a.terms[0].coef, b.terms[0].coef) {
                    prop_assert!((ca - cb).abs() < 1e-6 * cb.abs().max(1e-3), "{} vs {}", ca, cb);
                }
            }
        }
    }
}
