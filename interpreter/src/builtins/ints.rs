//! Integer operators: exact arithmetic (truncating division, `%` with the dividend's sign),
//! comparisons and ranges.

use super::{int, Eager};
use crate::eval::{error, Ctx, EvalResult};
use crate::set::SetValue;
use crate::value::{Int, Value};
use num_bigint::BigInt;
use num_traits::{One, ToPrimitive, Zero};
use spec_syntax::{Limit, Limits, Span};

pub fn eager(name: &str) -> Option<Eager> {
    Some(match name {
        "iadd" => |_, a, s| {
            let (x, y) = (int(&a[0], s)?, int(&a[1], s)?);
            within_budget(x.bits().max(y.bits()) + 1, "sum", s)?;
            Ok(Value::Int(x.add(y)))
        },
        "isub" => |_, a, s| {
            let (x, y) = (int(&a[0], s)?, int(&a[1], s)?);
            within_budget(x.bits().max(y.bits()) + 1, "difference", s)?;
            Ok(Value::Int(x.sub(y)))
        },
        "imul" => |_, a, s| {
            let (x, y) = (int(&a[0], s)?, int(&a[1], s)?);
            within_budget(x.bits() + y.bits(), "product", s)?;
            Ok(Value::Int(x.mul(y)))
        },
        "idiv" => |_, a, s| int(&a[0], s)?.div(int(&a[1], s)?).map(Value::Int).ok_or_else(|| error(s, "division by zero")),
        "imod" => |_, a, s| int(&a[0], s)?.rem(int(&a[1], s)?).map(Value::Int).ok_or_else(|| error(s, "division by zero in `%`")),
        "ipow" => pow,
        "iuminus" => |_, a, s| Ok(Value::Int(int(&a[0], s)?.neg())),
        "ilt" => |_, a, s| Ok(Value::Bool(int(&a[0], s)? < int(&a[1], s)?)),
        "ilte" => |_, a, s| Ok(Value::Bool(int(&a[0], s)? <= int(&a[1], s)?)),
        "igt" => |_, a, s| Ok(Value::Bool(int(&a[0], s)? > int(&a[1], s)?)),
        "igte" => |_, a, s| Ok(Value::Bool(int(&a[0], s)? >= int(&a[1], s)?)),
        "to" => |_, a, s| Ok(Value::Set(SetValue::interval(int(&a[0], s)?.clone(), int(&a[1], s)?.clone()))),
        _ => return None,
    })
}

/// Refuses a result of up to `bits` bits when that is over the `int-bits` limit (see
/// `spec_syntax::limits`), before anything is allocated: the error names the limit and the
/// expression.
fn within_budget(bits: u64, what: &str, span: Span) -> Result<(), Box<crate::eval::EvalError>> {
    let limit = Limits::current().int_bits;
    // `bits` is an upper bound, exact to one bit: allow that bit of slack.
    if bits > limit + 1 {
        return Err(error(span, format!("the {what} would have about {bits} bits, more than {}", Limit::IntBits)));
    }
    Ok(())
}

fn pow(_: &mut Ctx, a: &[Value], span: Span) -> EvalResult {
    let base = int(&a[0], span)?;
    let exp = int(&a[1], span)?;
    if exp.is_negative() {
        return Err(error(span, format!("negative exponent {exp} in `^`")));
    }
    if base.is_zero() && exp.is_zero() {
        return Err(error(span, "0 ^ 0 is undefined"));
    }
    let base_big = base.to_big();
    // 0, 1 and -1 to any power are small, however large the exponent.
    if base_big.magnitude() <= &num_bigint::BigUint::one() {
        let odd = exp.to_big().bit(0);
        let value = if base_big.is_zero() { BigInt::zero() } else if base_big.is_one() || !odd { BigInt::one() } else { -BigInt::one() };
        return Ok(Value::Int(Int::from_big(value)));
    }
    // Powers whose result would not fit the `int-bits` limit are refused before anything
    // is computed: the result has about bits(base) * exp bits.
    let exp_bits = exp.to_big().to_u64().unwrap_or(u64::MAX);
    within_budget((base_big.bits()).saturating_mul(exp_bits), &format!("power {base} ^ {exp}"), span)?;
    let Some(e) = exp.to_big().to_usize() else {
        return Err(error(span, format!("the exponent {exp} is too large")));
    };
    if e == 0 {
        return Ok(Value::Int(Int::from_big(BigInt::one())));
    }
    Ok(Value::Int(Int::from_big(num_traits::pow(base_big, e))))
}
