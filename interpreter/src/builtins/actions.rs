//! Operators that control evaluation: Boolean connectives (short-circuit), `if`, the action
//! combinators `all` and `any` (which tries its branches in the chooser's order and undoes
//! the assignments of a branch that turns out disabled, see `choose::any`), the test combinators `then`,
//! `reps`, `expect` and `fail`, and `assert`, `q::debug` and `x'`.

use super::{boolean, call, deeper, int, truth, Eager};
use crate::compile::{Code, Sub};
use crate::eval::{error, Ctx, EvalError, ErrorKind, EvalResult};
use crate::value::Value;
use spec_analysis::ir::{Callee, DefId, Expr, ExprKind};
use spec_syntax::Span;
use std::sync::Arc;

pub fn lazy(name: &str, args: &[Code], ir: &[Expr], span: Span) -> Option<Code> {
    let args: Arc<Vec<Sub>> = Arc::new(args.iter().cloned().map(Sub::new).collect());
    Some(match name {
        "and" | "actionAll" => Arc::new(move |ctx| {
            for a in args.iter() {
                if !truth(deeper(ctx, a)?, span)? {
                    return Ok(Value::Bool(false));
                }
            }
            Ok(Value::Bool(true))
        }),
        "or" => Arc::new(move |ctx| {
            for a in args.iter() {
                let saved = crate::choose::Snapshot::take(ctx);
                if truth(deeper(ctx, a)?, span)? {
                    return Ok(Value::Bool(true));
                }
                saved.restore_assignments(ctx);
            }
            Ok(Value::Bool(false))
        }),
        "actionAny" => {
            let candidates: Vec<Vec<DefId>> = ir.iter().map(called_defs).collect();
            // The branches' action names, looked up once (the program is known at run time).
            let names: std::sync::OnceLock<Vec<Option<Arc<str>>>> = std::sync::OnceLock::new();
            Arc::new(move |ctx| {
                let program = &ctx.compiled.program;
                let names = names.get_or_init(|| candidates.iter().map(|c| first_action(program, c)).collect());
                crate::choose::any(ctx, names, span, &|ctx, i| truth(deeper(ctx, &args[i])?, span))
            })
        }
        "implies" => Arc::new(move |ctx| {
            if !truth(deeper(ctx, &args[0])?, span)? {
                return Ok(Value::Bool(true));
            }
            Ok(Value::Bool(truth(deeper(ctx, &args[1])?, span)?))
        }),
        "ite" => Arc::new(move |ctx| if truth(deeper(ctx, &args[0])?, span)? { deeper(ctx, &args[1]) } else { deeper(ctx, &args[2]) }),
        "then" => {
            let actions = [ir.first().and_then(action_name), ir.get(1).and_then(action_name)];
            let first = ir.first().map(last_action_span).unwrap_or(span);
            Arc::new(move |ctx| {
                // As in Quint (QNT513): a disabled action with an action after it is an
                // error, not `false`, so that `a.then(b).then(c).fail()` does not pass
                // because `a` was disabled; the last action may be disabled (then `false`).
                if !truth(deeper(ctx, &args[0])?, span)? {
                    return Err(error(first, "cannot continue with `then`: this action is disabled (false) in this state"));
                }
                note_action(ctx, actions[0]);
                ctx.commit(span)?;
                note_intermediate(ctx);
                let after = deeper(ctx, &args[1])?;
                if after == Value::Bool(true) {
                    note_action(ctx, actions[1]);
                }
                Ok(after)
            })
        }
        "expect" => {
            let checked = ir.get(1).map(|e| e.span).unwrap_or(span);
            let action = ir.first().and_then(action_name);
            Arc::new(move |ctx| {
            if !truth(deeper(ctx, &args[0])?, span)? {
                return Ok(Value::Bool(false));
            }
            note_action(ctx, action);
            ctx.commit(span)?;
            let ok = truth(deeper(ctx, &args[1])?, span)?;
            if !ok {
                return Err(Box::new(EvalError { message: "expectation failed: the condition is false after the action".into(), span: checked, stack: Vec::new(), kind: ErrorKind::Expectation }));
            }
            // `expect` keeps the state and stands for the action itself: assign nothing new,
            // and the commit that follows is not a step of its own.
            for (i, v) in ctx.state.iter().enumerate() {
                ctx.next[i] = Some(v.clone());
            }
            ctx.repeating = true;
            Ok(Value::Bool(true))
            })
        }
        "reps" => Arc::new(move |ctx| {
            let n = int(&deeper(ctx, &args[0])?, span)?.clone();
            let Some(n) = n.to_i64() else { return Err(error(span, format!("reps: {n} repetitions are too many"))) };
            let f = deeper(ctx, &args[1])?;
            for i in 0..n {
                ctx.check_interrupt(span)?;
                if !truth(call(ctx, &f, [Value::int(i)], span)?, span)? {
                    // As `then`: only the last repetition may be disabled.
                    if i + 1 < n {
                        return Err(error(span, format!("`reps` cannot continue: repetition {} of {n} is disabled (false) in this state", i + 1)));
                    }
                    return Ok(Value::Bool(false));
                }
                if i + 1 < n {
                    ctx.commit(span)?;
                    note_intermediate(ctx);
                }
            }
            Ok(Value::Bool(true))
        }),
        "fail" => Arc::new(move |ctx| {
            let saved = ctx.next.clone();
            let enabled = truth(deeper(ctx, &args[0])?, span)?;
            ctx.next = saved;
            if !enabled {
                for (i, v) in ctx.state.iter().enumerate() {
                    ctx.next[i] = Some(v.clone());
                }
            }
            Ok(Value::Bool(!enabled))
        }),
        "next" => {
            let var = match ir.first().map(|e| &e.kind) {
                Some(ExprKind::Var(v)) => *v as usize,
                _ => return Some(Arc::new(move |_| Err(error(span, "only a state variable can be primed")))),
            };
            Arc::new(move |ctx| {
                ctx.next[var].clone().ok_or_else(|| {
                    let name = &ctx.compiled.program.vars[var].name;
                    error(span, format!("`{name}'` is read before it is assigned"))
                })
            })
        }
        "always" | "eventually" | "leadsTo" | "enabled" | "weakFair" | "strongFair" | "orKeep" | "mustChange" => {
            let name = name.to_string();
            Arc::new(move |_| Err(error(span, format!("the temporal operator `{name}` cannot be evaluated on a single state; check it with a model checker"))))
        }
        _ => return None,
    })
}

/// The definition a branch of `any` runs, if it is a named action.
/// When a run is recorded, names the step after the action `def` that a `then` or `expect`
/// argument calls, unless an `any` inside it already named the branch taken (as Quint's
/// `mbt::actionTaken`: the innermost action chosen, else the action called).
fn note_action(ctx: &mut Ctx, def: Option<DefId>) {
    if ctx.recorded.is_none() || !ctx.actions_taken.is_empty() {
        return;
    }
    if let Some(d) = def {
        let name = Arc::from(ctx.compiled.program.defs[d as usize].name.as_str());
        ctx.actions_taken.push(name);
    }
}

/// Where the action that ends `e` is: in a chain `a.then(b)` the disabled action is `b`,
/// not the whole chain (Quint highlights it the same way).
fn last_action_span(e: &Expr) -> Span {
    let mut e = e;
    while let ExprKind::Call { callee: Callee::Builtin("then"), args, .. } = &e.kind {
        match args.get(1) {
            Some(last) => e = last,
            None => break,
        }
    }
    e.span
}

fn action_name(e: &Expr) -> Option<DefId> {
    match &e.kind {
        ExprKind::Def(d) | ExprKind::Call { callee: Callee::Def(d), .. } => Some(*d),
        _ => None,
    }
}

/// The definitions an action expression calls first, in order of evaluation, looking through
/// `nondet`, `val` and `all { }`: a branch `nondet i = S.oneOf() PassToken(i)` calls
/// `PassToken`. Which of them are actions is known only with the program (`first_action`).
fn called_defs(e: &Expr) -> Vec<DefId> {
    let mut out = Vec::new();
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        match &e.kind {
            ExprKind::Def(d) | ExprKind::Call { callee: Callee::Def(d), .. } => out.push(*d),
            ExprKind::Let { body, .. } | ExprKind::LetPat { body, .. } | ExprKind::Nondet { body, .. } => stack.push(body),
            ExprKind::Call { callee: Callee::Builtin("actionAll"), args, .. } => stack.extend(args.iter().rev()),
            _ => {}
        }
    }
    out
}

/// The name of the first action among `defs`: what Quint records as the action a branch of
/// `any` took (`mbt::actionTaken`), the first action it calls.
fn first_action(program: &spec_analysis::ir::Program, defs: &[DefId]) -> Option<Arc<str>> {
    let def = defs.iter().map(|d| &program.defs[*d as usize]).find(|d| d.qualifier == spec_syntax::ast::Qualifier::Action)?;
    Some(Arc::from(def.name.as_str()))
}

pub fn eager(name: &str) -> Option<Eager> {
    Some(match name {
        "not" => |_, a, s| Ok(Value::Bool(!boolean(&a[0], s)?)),
        "iff" => |_, a, s| Ok(Value::Bool(boolean(&a[0], s)? == boolean(&a[1], s)?)),
        "assert" => |_, a, s| {
            if boolean(&a[0], s)? {
                Ok(Value::Bool(true))
            } else {
                Err(error(s, "assertion failed"))
            }
        },
        "q::debug" => debug,
        _ => return None,
    })
}

fn debug(ctx: &mut Ctx, a: &[Value], _: Span) -> EvalResult {
    let message = match &a[0] {
        Value::Str(s) => s.to_string(),
        other => other.to_string(),
    };
    ctx.debug(format!("> {message} {}", a[1]));
    Ok(a[1].clone())
}

/// Keeps the state `then` or `reps` just committed inside an action, when asked to.
fn note_intermediate(ctx: &mut Ctx) {
    if let Some(states) = &mut ctx.intermediate {
        states.push(ctx.state.clone());
    }
}
