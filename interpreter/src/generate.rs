//! `apalache::generate(n)`: a random value of the expected type, for simulation.

use crate::eval::{error, Ctx, EvalResult};
use crate::set::SetValue;
use crate::value::Value;
use imbl::{OrdMap, OrdSet, Vector};
use spec_analysis::ty::Ty;
use spec_syntax::Span;
use std::sync::Arc;

/// Bound on the size of generated collections and the magnitude of generated integers.
const BOUND: u64 = 5;

pub fn generate(ctx: &mut Ctx, ty: &Ty, span: Span) -> EvalResult {
    Ok(match ty {
        Ty::Int => Value::int(ctx.chooser.below(2 * BOUND + 1) as i64 - BOUND as i64),
        Ty::Bool => Value::Bool(ctx.chooser.below(2) == 1),
        Ty::Str => Value::str(&format!("s{}", ctx.chooser.below(BOUND))),
        Ty::Set(t) => {
            let n = ctx.chooser.below(BOUND);
            let mut s = OrdSet::new();
            for _ in 0..n {
                s.insert(generate(ctx, t, span)?);
            }
            Value::Set(SetValue::Explicit(s))
        }
        Ty::List(t) => {
            let n = ctx.chooser.below(BOUND);
            let mut l = Vector::new();
            for _ in 0..n {
                l.push_back(generate(ctx, t, span)?);
            }
            Value::list(l)
        }
        Ty::Map(k, v) => {
            let n = ctx.chooser.below(BOUND);
            let mut m = OrdMap::new();
            for _ in 0..n {
                let key = generate(ctx, k, span)?;
                let value = generate(ctx, v, span)?;
                m.insert(key, value);
            }
            Value::Map(m)
        }
        Ty::Tuple(items) => Value::Tuple(Arc::new(items.iter().map(|t| generate(ctx, t, span)).collect::<Result<_, _>>()?)),
        Ty::Record(row) => {
            let mut fields = Vec::new();
            for (name, t) in &row.fields {
                fields.push((Arc::from(name.as_str()), generate(ctx, t, span)?));
            }
            Value::record(fields)
        }
        Ty::Sum(key, _) => {
            let Some(sum) = ctx.compiled.program.sum_types.get(key).cloned() else { return Err(error(span, "unknown sum type")) };
            let i = ctx.chooser.below(sum.variants.len() as u64) as usize;
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
