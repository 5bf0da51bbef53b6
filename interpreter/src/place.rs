//! Values read in place. A local, a state variable, or a part of one reached by fields,
//! tuple items and map lookups whose keys are themselves read in place or constant
//! (`board.get(c._1).get(c._2)`, `r.f.g`, `rmState.get(rm)`) is a [`Path`]: reading it
//! borrows from the registers and the state, so only the part finally needed is cloned, and
//! comparing two of them (`player == p`, `rmState.get(rm) == "working"`) clones nothing.
//! A path evaluates nothing that could have an effect: it is read in the same order, with
//! the same errors, as the expression it stands for.

use crate::eval::{error, Ctx, EvalError};
use crate::value::Value;
use spec_analysis::ir::VarId;
use spec_syntax::Span;
use std::sync::Arc;

/// Where a path starts: a register (a local name) or a state variable.
#[derive(Clone, Copy)]
pub enum Place {
    Reg(usize),
    Var(VarId),
}

impl Place {
    pub fn get<'c>(self, ctx: &'c Ctx, span: Span) -> Result<&'c Value, Box<EvalError>> {
        match self {
            Place::Reg(r) => Ok(&ctx.regs[r]),
            Place::Var(v) => ctx.var_ref(v, span),
        }
    }
}

/// One step down from a value.
pub enum Step {
    Field(Arc<str>),
    /// A tuple item, counted from 1.
    Item(usize),
    /// The value at a key of a map.
    Get(Operand),
}

/// A place and the steps from it, each with the span of its expression (for errors).
pub struct Path {
    pub base: Place,
    pub span: Span,
    pub steps: Vec<(Step, Span)>,
}

impl Path {
    pub fn get<'c>(&self, ctx: &'c Ctx) -> Result<&'c Value, Box<EvalError>> {
        let mut v = self.base.get(ctx, self.span)?;
        for (step, span) in &self.steps {
            v = match step {
                Step::Field(name) => v.field(name).ok_or_else(|| error(*span, format!("the record {v} has no field {name}")))?,
                Step::Item(index) => match v {
                    Value::Tuple(items) if *index >= 1 && *index <= items.len() => &items[index - 1],
                    other => return Err(error(*span, format!("{other} has no item {index}"))),
                },
                Step::Get(key) => {
                    let key = key.get(ctx)?;
                    crate::builtins::map_entry(v, key, *span)?
                }
            };
        }
        Ok(v)
    }
}

/// An operand read without running code: a constant or a path.
pub enum Operand {
    Const(Value),
    Path(Box<Path>),
}

impl Operand {
    pub fn get<'c>(&'c self, ctx: &'c Ctx) -> Result<&'c Value, Box<EvalError>> {
        match self {
            Operand::Const(v) => Ok(v),
            Operand::Path(p) => p.get(ctx),
        }
    }
}
