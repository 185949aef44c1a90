//! JSON number helpers: a value that is not a finite number is `null`,
//! never NaN or an infinity (which JSON cannot hold and readers mis-parse).

use serde_json::Value;

/// A number, or `null` when it is not finite.
pub fn num(v: f64) -> Value {
    if v.is_finite() {
        Value::from(v)
    } else {
        Value::Null
    }
}

/// An optional number, `null` when absent or not finite.
pub fn opt(v: Option<f64>) -> Value {
    v.map_or(Value::Null, num)
}

/// A count held as a number (a sum of case weights): an integer when it is
/// one, so that unweighted counts read `19`, not `19.0`.
pub fn count(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        Value::from(v as i64)
    } else {
        num(v)
    }
}
