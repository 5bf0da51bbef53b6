//! `apalache::generate(n)`: a random value of the expected type, for simulation.

use crate::eval::{error, Ctx, EvalResult};
use crate::set::SetValue;
use crate::value::Value;
use crate::collection::{ValueMap, ValueSet};
use imbl::Vector;
use spec_analysis::ty::Ty;
use spec_syntax::Span;
use std::sync::Arc;

/// A random number below `n`, from the chooser.
fn below(ctx: &mut Ctx, n: u64, span: Span) -> Result<u64, Box<crate::eval::EvalError>> {
    crate::choose::number(ctx, n, span)
}

/// Bound on the size of generated collections and the magnitude of generated integers.
const BOUND: u64 = 5;

pub fn generate(ctx: &mut Ctx, ty: &Ty, span: Span) -> EvalResult {
    Ok(match ty {
        Ty::Int => Value::int(below(ctx, 2 * BOUND + 1, span)? as i64 - BOUND as i64),
        Ty::Bool => Value::Bool(below(ctx, 2, span)? == 1),
        Ty::Str => Value::str(&format!("s{}", below(ctx, BOUND, span)?)),
        Ty::Set(t) => {
            let n = below(ctx, BOUND, span)?;
            let mut s = Vec::new();
            for _ in 0..n {
                s.push(generate(ctx, t, span)?);
            }
            Value::Set(SetValue::Explicit(ValueSet::from_vec(s)))
        }
        Ty::List(t) => {
            let n = below(ctx, BOUND, span)?;
            let mut l = Vector::new();
            for _ in 0..n {
                l.push_back(generate(ctx, t, span)?);
            }
            Value::list(l)
        }
        Ty::Map(k, v) => {
            let n = below(ctx, BOUND, span)?;
            let mut m = Vec::new();
            for _ in 0..n {
                let key = generate(ctx, k, span)?;
                let value = generate(ctx, v, span)?;
                m.push((key, value));
            }
            Value::Map(ValueMap::from_vec(m))
        }
        Ty::Tuple(items) => Value::Tuple(Arc::new(items.iter().map(|t| generate(ctx, t, span)).collect::<Result<_, _>>()?)),
        Ty::Record(row) => {
            let mut fields = Vec::new();
            for (name, t) in row.fields.iter() {
                fields.push((Arc::from(name.as_str()), generate(ctx, t, span)?));
            }
            Value::record(fields)
        }
        Ty::Sum(key, _) => {
            let Some(sum) = ctx.compiled.program.sum_types.get(key).cloned() else { return Err(error(span, "unknown sum type")) };
            let i = below(ctx, sum.variants.len() as u64, span)? as usize;
            let (name, payload) = &sum.variants[i];
            let payload = match payload {
                Some(t) => generate(ctx, t, span)?,
                None => Value::unit(),
            };
            Value::Variant(Arc::from(name.as_str()), Arc::new(payload))
        }
        other => return Err(error(span, format!("cannot generate a value of type {other}"))),
    })
}
