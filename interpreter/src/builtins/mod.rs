//! Builtin operators, one file per family. `compile` turns a call of a builtin into code:
//! operators that control evaluation (`and`, `or`, `ite`, `any`, `all`, `then`, ...) get
//! their arguments as code; every other operator gets evaluated arguments.

mod actions;
mod ints;
mod lists;
mod maps;
pub(crate) use maps::entry as map_entry;
pub(crate) use maps::get as map_get;
use maps::set_owned as map_set_owned;
pub(crate) use sets::count_filtered;
mod records;
mod sets;

use crate::compile::{Code, Sub};
use crate::eval::{error, Ctx, EvalError, EvalResult};
use crate::collection::{ValueMap, ValueSet};
use crate::set::SetValue;
use crate::value::{Int, Lambda, Value};
use imbl::Vector;
use spec_analysis::ir::Expr;
use spec_syntax::Span;
use std::sync::Arc;

/// A builtin on evaluated arguments.
pub type Eager = fn(&mut Ctx, &[Value], Span) -> EvalResult;

/// The code for a call of builtin `name`.
pub fn compile(name: &'static str, args: Vec<Code>, ir_args: &[Expr], span: Span) -> Code {
    if let Some(code) = actions::lazy(name, &args, ir_args, span) {
        return code;
    }
    let op = eager(name);
    let n = args.len();
    match n {
        1 => {
            let a = sub(&args, ir_args, 0);
            Arc::new(move |ctx| {
                let x = deeper(ctx, &a)?;
                let result = op(ctx, std::slice::from_ref(&x), span);
                x.discard();
                result
            })
        }
        2 => {
            let (a, b) = (sub(&args, ir_args, 0), sub(&args, ir_args, 1));
            Arc::new(move |ctx| {
                let x = deeper(ctx, &a)?;
                let y = deeper(ctx, &b)?;
                let args = [x, y];
                let result = op(ctx, &args, span);
                let [x, y] = args;
                x.discard();
                y.discard();
                result
            })
        }
        3 if matches!(name, "set" | "put") => {
            // The arguments are moved into the new map (see `maps::set_owned`).
            let must_exist = name == "set";
            let (a, b, c) = (sub(&args, ir_args, 0), sub(&args, ir_args, 1), sub(&args, ir_args, 2));
            Arc::new(move |ctx| {
                let m = deeper(ctx, &a)?;
                let k = deeper(ctx, &b)?;
                let v = deeper(ctx, &c)?;
                map_set_owned(m, k, v, must_exist, span)
            })
        }
        3 if name == "with" => {
            // The record is moved into the new one (see `records::with_owned`).
            let (a, b, c) = (sub(&args, ir_args, 0), sub(&args, ir_args, 1), sub(&args, ir_args, 2));
            Arc::new(move |ctx| {
                let r = deeper(ctx, &a)?;
                let f = deeper(ctx, &b)?;
                let v = deeper(ctx, &c)?;
                records::with_owned(r, f, v, span)
            })
        }
        3 => {
            // `m.setBy(k, f)`: without a vector for the arguments.
            let (a, b, c) = (sub(&args, ir_args, 0), sub(&args, ir_args, 1), sub(&args, ir_args, 2));
            Arc::new(move |ctx| {
                let x = deeper(ctx, &a)?;
                let y = deeper(ctx, &b)?;
                let z = deeper(ctx, &c)?;
                let args = [x, y, z];
                let result = op(ctx, &args, span);
                let [x, y, z] = args;
                x.discard();
                y.discard();
                z.discard();
                result
            })
        }
        _ => {
            let args: Vec<Sub> = args.into_iter().map(Sub::new).collect();
            Arc::new(move |ctx| {
            let mut values = Vec::with_capacity(args.len());
            for a in &args {
                values.push(deeper(ctx, a)?);
            }
            op(ctx, &values, span)
        })
        }
    }
}

/// Argument `i`'s code as a [`Sub`] (see `Sub::of`).
fn sub(args: &[Code], ir_args: &[Expr], i: usize) -> Sub {
    match ir_args.get(i) {
        Some(e) => Sub::of(args[i].clone(), e),
        None => Sub::new(args[i].clone()),
    }
}

/// Evaluates an argument, growing the stack first when it runs low: long flat chains
/// (`a + b + ...`, `s.map(f).map(g)...`) evaluate as deeply nested calls.
pub(crate) fn deeper(ctx: &mut Ctx, code: &Sub) -> EvalResult {
    code.run(ctx)
}

/// A builtin used as a value: a constant set, or an operator passed as an argument.
pub fn value(name: &'static str, span: Span) -> Code {
    match name {
        "Int" => Arc::new(|_| Ok(Value::Set(SetValue::Int))),
        "Nat" => Arc::new(|_| Ok(Value::Set(SetValue::Nat))),
        "Bool" => Arc::new(|_| Ok(crate::value::set_of([Value::Bool(false), Value::Bool(true)]))),
        _ => {
            let op = eager(name);
            Arc::new(move |_| {
                Ok(Value::Lambda(Arc::new(Lambda::Builtin { op, name, span })))
            })
        }
    }
}

fn eager(name: &str) -> Eager {
    ints::eager(name)
        .or_else(|| sets::eager(name))
        .or_else(|| maps::eager(name))
        .or_else(|| lists::eager(name))
        .or_else(|| records::eager(name))
        .or_else(|| actions::eager(name))
        .unwrap_or(unknown)
}

fn unknown(_: &mut Ctx, _: &[Value], span: Span) -> EvalResult {
    Err(error(span, "this operator cannot be evaluated"))
}

// ---------------------------------------------------------------- argument access

pub(crate) fn int(v: &Value, span: Span) -> Result<&Int, Box<EvalError>> {
    match v {
        Value::Int(n) => Ok(n),
        other => Err(error(span, format!("expected an integer, found {other}"))),
    }
}

pub(crate) fn boolean(v: &Value, span: Span) -> Result<bool, Box<EvalError>> {
    match v {
        Value::Bool(b) => Ok(*b),
        other => Err(error(span, format!("expected a Boolean, found {other}"))),
    }
}

/// `boolean` of a value owned: a Boolean is taken apart without a call to drop it.
#[inline]
pub(crate) fn truth(v: Value, span: Span) -> Result<bool, Box<EvalError>> {
    match v {
        Value::Bool(b) => Ok(b),
        other => boolean(&other, span),
    }
}

pub(crate) fn set(v: &Value, span: Span) -> Result<&SetValue, Box<EvalError>> {
    match v {
        Value::Set(s) => Ok(s),
        other => Err(error(span, format!("expected a set, found {other}"))),
    }
}

/// The elements of a set, or an error naming its size when it cannot be enumerated.
pub(crate) fn elements(v: &Value, span: Span) -> Result<ValueSet, Box<EvalError>> {
    let s = set(v, span)?;
    s.elements().map_err(|e| error(span, format!("cannot enumerate {}: {e}", s.describe())))
}

/// The elements of a set one by one (see `SetValue::iter`), or an error naming its size.
pub(crate) fn each(v: &Value, span: Span) -> Result<crate::set::Elements<'_>, Box<EvalError>> {
    let s = set(v, span)?;
    s.iter().map_err(|e| error(span, format!("cannot enumerate {}: {e}", s.describe())))
}

pub(crate) fn map(v: &Value, span: Span) -> Result<&ValueMap, Box<EvalError>> {
    match v {
        Value::Map(m) => Ok(m),
        other => Err(not_a_map(other, span)),
    }
}

pub(crate) fn not_a_map(v: &Value, span: Span) -> Box<EvalError> {
    error(span, format!("expected a map, found {v}"))
}

pub(crate) fn list(v: &Value, span: Span) -> Result<&Vector<Value>, Box<EvalError>> {
    match v {
        Value::List(l) => Ok(&**l),
        other => Err(error(span, format!("expected a list, found {other}"))),
    }
}

/// An index into a list of `len` items.
pub(crate) fn index(v: &Value, len: usize, span: Span, what: &str) -> Result<usize, Box<EvalError>> {
    let n = int(v, span)?;
    match n.to_i64() {
        Some(i) if i >= 0 && (i as usize) < len => Ok(i as usize),
        _ => Err(error(span, format!("{what} {n} is out of bounds for a list of length {len}"))),
    }
}

/// Applies operator `f` to `args` (moved in, not cloned): an anonymous operator straight
/// into its registers when it can be (see `LambdaCode::call_direct`).
#[inline]
pub(crate) fn call<const N: usize>(ctx: &mut Ctx, f: &Value, args: [Value; N], span: Span) -> EvalResult
where
    [Value; N]: crate::compile::Arguments,
{
    if let Value::Lambda(l) = f {
        if let Lambda::Code(code) = &**l {
            return code.call_direct(ctx, args);
        }
    }
    let base = ctx.args.len();
    ctx.args.extend(args);
    crate::compile::apply_stacked(ctx, f, base, span)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truth_of_an_owned_value_answers_as_boolean_does() {
        let span = Span::default();
        assert_eq!(truth(Value::Bool(true), span).ok(), Some(true));
        assert_eq!(truth(Value::Bool(false), span).ok(), Some(false));
        for other in [Value::int(1), Value::str("yes"), crate::value::set_of([Value::Bool(true)])] {
            let owned = truth(other.clone(), span).map_err(|e| e.message);
            let borrowed = boolean(&other, span).map_err(|e| e.message);
            assert!(owned.is_err());
            assert_eq!(owned, borrowed);
        }
    }
}
