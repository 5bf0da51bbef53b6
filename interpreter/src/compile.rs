//! From the resolved IR to closures: every expression is compiled once into a
//! `Fn(&mut Ctx) -> EvalResult`, with local names turned into register numbers, so
//! evaluation does no name lookups. Definitions are compiled once each and call each other
//! through the `Compiled` table.

use crate::builtins;
use crate::eval::{error, Ctx, EvalResult};
use crate::place::{Operand, Path, Place, Step};
use crate::value::{Lambda, Value};
use spec_analysis::ir::*;
use spec_syntax::ast::Qualifier;
use spec_syntax::Span;
use smallvec::SmallVec;
use std::sync::Arc;

pub type Code = Arc<dyn Fn(&mut Ctx) -> EvalResult + Send + Sync>;

/// Code held by other code where chains make deep nests (operands, the body after a local
/// definition): it runs, and is dropped, on a grown stack when the stack runs low, so a
/// chain of any length neither evaluates nor frees by deep recursion on a small stack.
pub struct Sub(Option<Code>, Depth);

/// Whether a [`Sub`]'s code may nest: only code that may checks the stack before it runs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Depth {
    May,
    /// A literal, a local or a state variable read: it runs no other code.
    Leaf,
}

impl Sub {
    pub fn new(code: Code) -> Sub {
        Sub(Some(code), Depth::May)
    }

    /// `code` compiled from `e`: when `e` is a leaf (a literal, a name read), it runs without
    /// the stack check, which is then a good part of its cost.
    pub fn of(code: Code, e: &Expr) -> Sub {
        let leaf = matches!(
            e.kind,
            ExprKind::Int(_) | ExprKind::Bool(_) | ExprKind::Str(_) | ExprKind::Local(_) | ExprKind::Var(_) | ExprKind::Const(_) | ExprKind::Builtin(_) | ExprKind::Variant { payload: None, .. }
        );
        Sub(Some(code), if leaf { Depth::Leaf } else { Depth::May })
    }

    #[inline]
    pub fn run(&self, ctx: &mut Ctx) -> EvalResult {
        match &self.0 {
            Some(code) if self.1 == Depth::Leaf => code(ctx),
            Some(code) => {
                // Asking `stacker` how much stack is left reads a thread-local and calls out;
                // a stack pointer inside the range the context knows has room needs neither.
                let here = stack_address();
                if here > ctx.stack_room.low && here <= ctx.stack_room.high {
                    code(ctx)
                } else {
                    run_checked(code, ctx)
                }
            }
            None => Err(error(Span::default(), "internal error: code run after it was dropped")),
        }
    }
}

impl Drop for Sub {
    fn drop(&mut self) {
        if let Some(code) = self.0.take() {
            stacker::maybe_grow(STACK_RED_ZONE, STACK_SEGMENT, move || drop(code));
        }
    }
}

/// The room a nested run needs below the stack pointer, and the size of a new segment.
const STACK_RED_ZONE: usize = 64 * 1024;
const STACK_SEGMENT: usize = 2 * 1024 * 1024;

/// An address in the current stack frame (about the stack pointer).
#[inline(always)]
fn stack_address() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

/// Runs `code` on a grown stack if the stack runs low, with the context's stack range set
/// for the segment it runs on (and put back after): runs nested in it are then checked by
/// comparing addresses only.
#[inline(never)]
fn run_checked(code: &Code, ctx: &mut Ctx) -> EvalResult {
    let here = stack_address();
    if let Some(left) = stacker::remaining_stack() {
        if left > 2 * STACK_RED_ZONE {
            // Room enough on this stack: the code runs here, and the range from the stack's
            // limit (plus the red zones) up to this frame stays valid for every later run on
            // this stack, so it is kept, widened to the shallowest frame seen, rather than
            // asked for again at each evaluation that starts here (each step, invariant, ...).
            // A range of another stack (a segment grown below) is replaced; one that runs
            // on a grown segment is put back by the run that grew it.
            let low = here.saturating_sub(left).saturating_add(2 * STACK_RED_ZONE);
            let high = if ctx.stack_room.low == low { ctx.stack_room.high.max(here) } else { here };
            ctx.stack_room = crate::eval::StackRoom { low, high };
            return code(ctx);
        }
    }
    stacker::maybe_grow(STACK_RED_ZONE, STACK_SEGMENT, || {
        let saved = ctx.stack_room;
        let here = stack_address();
        ctx.stack_room = match stacker::remaining_stack() {
            // Twice the red zone: a run that starts above `low` has the red zone left.
            Some(left) if left > 2 * STACK_RED_ZONE => crate::eval::StackRoom { low: here.saturating_sub(left).saturating_add(2 * STACK_RED_ZONE), high: here },
            _ => crate::eval::StackRoom::EMPTY,
        };
        let result = code(ctx);
        ctx.stack_room = saved;
        result
    })
}

/// How a parameter or destructuring binds registers.
#[derive(Clone, Debug)]
pub enum PatCode {
    Reg(usize),
    Ignore,
    Tuple(Vec<PatCode>),
    Record(Vec<(Arc<str>, usize)>),
}

impl PatCode {
    /// Registers the pattern writes (to save and restore around calls).
    pub fn regs(&self, out: &mut Vec<usize>) {
        match self {
            PatCode::Reg(r) => out.push(*r),
            PatCode::Ignore => {}
            PatCode::Tuple(items) => items.iter().for_each(|p| p.regs(out)),
            PatCode::Record(fields) => out.extend(fields.iter().map(|(_, r)| *r)),
        }
    }

    pub fn bind(&self, ctx: &mut Ctx, value: Value, span: Span) -> Result<(), Box<crate::eval::EvalError>> {
        match self {
            PatCode::Reg(r) => ctx.regs[*r] = value,
            PatCode::Ignore => {}
            PatCode::Tuple(items) => match value {
                // A tuple no one else holds (one just built: an element of `tuples(S, T)`)
                // gives its items up; a shared one lends clones.
                Value::Tuple(values) if values.len() == items.len() => match Arc::try_unwrap(values) {
                    Ok(owned) => {
                        for (p, v) in items.iter().zip(owned) {
                            p.bind(ctx, v, span)?;
                        }
                    }
                    Err(shared) => {
                        for (p, v) in items.iter().zip(shared.iter()) {
                            p.bind(ctx, v.clone(), span)?;
                        }
                    }
                },
                other => return Err(error(span, format!("expected a tuple of {} items, found {other}", items.len()))),
            },
            PatCode::Record(fields) => {
                for (name, r) in fields {
                    match value.field(name) {
                        Some(v) => ctx.regs[*r] = v.clone(),
                        None => return Err(error(span, format!("the record {value} has no field {name}"))),
                    }
                }
            }
        }
        Ok(())
    }
}

/// The most calls of definitions running at once: past it an evaluation stops with an
/// error (a spec that recurses without end through operator arguments).
const MAX_DEPTH: usize = 10_000;

/// A compiled definition.
pub struct DefCode {
    pub name: String,
    pub params: Option<Vec<PatCode>>,
    /// Registers written by the parameters (saved and restored around each call).
    pub param_regs: Vec<usize>,
    /// When every parameter is a plain name (or there are none): their registers, in order,
    /// bound by moving the arguments straight in (see `Compiled::call_stacked`).
    pub plain_params: Option<Vec<usize>>,
    pub body: Code,
    /// A pure value without parameters: computed once per context.
    pub cacheable: bool,
    /// A value of the current state alone (a `val`, or a definition without parameters,
    /// that makes no choice and assigns nothing): computed once per state and context.
    pub per_state: bool,
    pub span: Span,
}

/// A whole program, compiled.
pub struct Compiled {
    pub program: Arc<Program>,
    pub types: Arc<Types>,
    pub defs: Vec<Option<DefCode>>,
    pub register_count: usize,
    /// Values of pure `val`s, computed once for the whole run (they do not depend on state).
    pub pure_values: Vec<std::sync::OnceLock<Value>>,
    /// Which state variables a step must assign: those of the main module (an instance's
    /// copy of a module has its own variables; the original's are not part of the state).
    pub active_vars: Vec<bool>,
    /// How many anonymous operators were compiled: with the definitions, the number of
    /// re-entry counters a context keeps (`Ctx::active`).
    pub lambda_count: usize,
}

impl Compiled {
    pub fn new(program: Arc<Program>, types: Arc<Types>) -> Compiled {
        let mut bases = Vec::with_capacity(program.defs.len());
        let mut total = 0usize;
        for def in &program.defs {
            bases.push(total);
            total += def.locals.len();
        }
        let mut defs = Vec::with_capacity(program.defs.len());
        let lambdas = std::cell::Cell::new(program.defs.len());
        let names = Names::default();
        let per_state = state_functions(&program);
        let memo = Memo { effect_free: effect_free(&program), first_slot: program.defs.len(), calls: Default::default() };
        for (id, def) in program.defs.iter().enumerate() {
            let compiler = Compiler {
                program: &program,
                base: bases[id],
                bases: &bases,
                types: &types,
                locals: &def.locals,
                lambdas: &lambdas,
                names: &names,
                memo: &memo,
                moves: std::cell::RefCell::new(vec![false; def.locals.len()]),
                retry_free: std::cell::Cell::new(false),
            };
            defs.push(def.body.as_ref().map(|body| {
                // A definition that makes no choice and assigns nothing runs its body once
                // per call: a parameter read once is moved out (see `last_use`).
                if memo.effect_free.get(id).copied().unwrap_or(false) {
                    compiler.retry_free.set(true);
                    compiler.allow_moves(def.params.as_deref().unwrap_or(&[]), body);
                }
                let params = def.params.as_ref().map(|ps| ps.iter().map(|p| compiler.pattern(p)).collect::<Vec<_>>());
                let plain_params = plain_registers(params.as_deref());
                let mut param_regs = Vec::new();
                if let Some(ps) = &params {
                    ps.iter().for_each(|p| p.regs(&mut param_regs));
                }
                DefCode {
                    name: def.name.clone(),
                    params,
                    param_regs,
                    plain_params,
                    body: compiler.expr(body),
                    cacheable: def.params.is_none() && matches!(def.qualifier, Qualifier::PureVal),
                    per_state: per_state[id] && !(def.params.is_none() && matches!(def.qualifier, Qualifier::PureVal)),
                    span: def.span,
                }
            }));
        }
        let active_vars = vec![true; program.vars.len()];
        let pure_values = (0..program.defs.len()).map(|_| std::sync::OnceLock::new()).collect();
        let lambda_count = lambdas.get() - program.defs.len();
        Compiled { program, types, defs, register_count: total, active_vars, pure_values, lambda_count }
    }

    /// A fresh compilation of the same program, sharing nothing mutable with `self`: each
    /// simulation thread runs its own, so that cloning constants (literals, cached `pure val`s,
    /// operator values) does not bounce reference counts between cores.
    pub fn recompiled(&self) -> Compiled {
        let mut copy = Compiled::new(self.program.clone(), self.types.clone());
        copy.active_vars.clone_from(&self.active_vars);
        copy
    }

    /// Calls definition `d` with `args`; used by compiled code and by the API.
    pub fn call(&self, ctx: &mut Ctx, d: DefId, args: Vec<Value>, site: Span) -> EvalResult {
        let base = ctx.args.len();
        ctx.args.extend(args);
        self.call_stacked(ctx, d, base, site)
    }

    /// Calls definition `d` with the arguments on the context's argument stack from `base`
    /// on (they are taken off it).
    pub fn call_stacked(&self, ctx: &mut Ctx, d: DefId, base: usize, site: Span) -> EvalResult {
        let Some(code) = self.defs.get(d as usize).and_then(|c| c.as_ref()) else {
            ctx.args.truncate(base);
            let def = &self.program.defs[d as usize];
            let what = if matches!(def.qualifier, Qualifier::Val | Qualifier::PureVal) && def.synthetic { "has no value" } else { "has no body" };
            return Err(error(site, format!("`{}` {what}", def.name)));
        };
        if code.cacheable {
            if let Some(v) = self.pure_values[d as usize].get() {
                ctx.args.truncate(base);
                return Ok(v.clone());
            }
        }
        if let Err(e) = ctx.check_interrupt(site) {
            ctx.args.truncate(base);
            return Err(e);
        }
        if code.per_state {
            if let Some(v) = ctx.state_value(d) {
                ctx.args.truncate(base);
                return Ok(v);
            }
        }
        if ctx.depth > MAX_DEPTH {
            ctx.args.truncate(base);
            return Err(error(site, "the evaluation nests too deeply"));
        }
        let given = ctx.args.len() - base;
        if let Some(regs) = &code.plain_params {
            // The common call: plain parameters, the right number of arguments, and the
            // definition not already running further up (its registers are free).
            if regs.len() == given && ctx.active.get(d as usize) == Some(&0) {
                ctx.depth += 1;
                let result = run_plain(ctx, d as usize, regs, &code.body);
                ctx.depth -= 1;
                return self.finish_call(ctx, d, code, result, site);
            }
        }
        let params: &[PatCode] = match &code.params {
            Some(params) if params.len() != given => {
                ctx.args.truncate(base);
                return Err(error(site, format!("`{}` takes {} arguments, given {}", code.name, params.len(), given)));
            }
            Some(params) => params,
            None => &[],
        };
        ctx.depth += 1;
        let result = run_bound(ctx, d as usize, params, &code.param_regs, base, site, &code.body);
        ctx.depth -= 1;
        self.finish_call(ctx, d, code, result, site)
    }

    /// After a call of `d`: an error gets the call stack, a value is kept when it may be.
    #[inline]
    fn finish_call(&self, ctx: &mut Ctx, d: DefId, code: &DefCode, result: EvalResult, site: Span) -> EvalResult {
        let value = result.map_err(|e| ctx.annotate(e, d, site))?;
        if code.cacheable {
            let _ = self.pure_values[d as usize].set(value.clone());
        } else if code.per_state {
            ctx.keep_state_value(d, value.clone());
        }
        Ok(value)
    }

    /// A definition as an operator value (`S.map(f)`).
    pub fn def_as_value(&self, d: DefId, site: Span) -> Value {
        Value::Lambda(Arc::new(Lambda::Def { def: d, site }))
    }
}

/// Builtins that choose, assign, commit or print: a definition that reaches one is not a
/// function of the state alone.
const EFFECTS: &[&str] = &["oneOf", "apalache::generate", "next", "q::debug", "actionAny", "then", "expect", "reps", "fail"];

/// Which definitions compute a function of the current state alone: no parameters (or an
/// empty list), and no choice, assignment, commit or printing in them or in anything they
/// refer to. Their values are kept for the state they were computed in (`Ctx::state_value`).
fn state_functions(program: &Program) -> Vec<bool> {
    let free = effect_free(program);
    (0..program.defs.len())
        .map(|d| {
            let def = &program.defs[d];
            let nullary = def.params.as_ref().is_none_or(|ps| ps.is_empty());
            nullary && free[d]
        })
        .collect()
}

/// Which definitions (values and operators, with or without parameters) make no choice,
/// assign nothing, commit nothing and print nothing, in them or in anything they refer to:
/// given the same arguments in the same state they give the same value.
fn effect_free(program: &Program) -> Vec<bool> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Unknown,
        Visiting,
        Pure,
        Effectful,
    }
    fn pure(program: &Program, d: DefId, marks: &mut [Mark]) -> bool {
        match marks[d as usize] {
            Mark::Pure => return true,
            Mark::Effectful | Mark::Visiting => return false,
            Mark::Unknown => {}
        }
        marks[d as usize] = Mark::Visiting;
        let mut ok = true;
        let mut todo: Vec<&Expr> = program.defs[d as usize].body.iter().collect();
        while let Some(e) = todo.pop() {
            ok = match &e.kind {
                ExprKind::Nondet { .. } | ExprKind::Assign { .. } | ExprKind::Error => false,
                ExprKind::Builtin(name) | ExprKind::Call { callee: Callee::Builtin(name), .. } if EFFECTS.contains(name) => false,
                ExprKind::Def(other) | ExprKind::Call { callee: Callee::Def(other), .. } => pure(program, *other, marks),
                _ => true,
            };
            if !ok {
                break;
            }
            todo.extend(e.children());
        }
        marks[d as usize] = if ok { Mark::Pure } else { Mark::Effectful };
        ok
    }
    let mut marks = vec![Mark::Unknown; program.defs.len()];
    (0..program.defs.len())
        .map(|d| {
            let def = &program.defs[d];
            let kind = matches!(def.qualifier, Qualifier::Val | Qualifier::Def | Qualifier::PureVal | Qualifier::PureDef);
            kind && def.body.is_some() && pure(program, d as DefId, &mut marks)
        })
        .collect()
}

/// Binds the arguments on the stack from `base` to `params` and runs `body`. Registers are
/// per definition, so a call overwrites its parameters in place; only when the same
/// definition or operator is already running further up (`Ctx::active`: an operator argument
/// that calls its caller again) are the outer call's values moved out first and put back
/// after.
fn run_bound(ctx: &mut Ctx, id: usize, params: &[PatCode], regs: &[usize], base: usize, site: Span, body: &Code) -> EvalResult {
    if ctx.active.get(id).is_none_or(|n| *n > 0) {
        return run_reentered(ctx, id, params, regs, base, site, body);
    }
    bind_and_run(ctx, id, params, base, site, body)
}

/// `run_bound` for an operator already running further up: its registers are saved first
/// and put back after.
#[cold]
fn run_reentered(ctx: &mut Ctx, id: usize, params: &[PatCode], regs: &[usize], base: usize, site: Span, body: &Code) -> EvalResult {
    let saved: SmallVec<[Value; 4]> = regs.iter().map(|r| std::mem::replace(&mut ctx.regs[*r], Value::Bool(false))).collect();
    let result = bind_and_run(ctx, id, params, base, site, body);
    for (r, v) in regs.iter().zip(saved) {
        ctx.regs[*r] = v;
    }
    result
}

/// Moves the arguments from `base` on into the parameters' registers and runs `body`.
#[inline]
fn bind_and_run(ctx: &mut Ctx, id: usize, params: &[PatCode], base: usize, site: Span, body: &Code) -> EvalResult {
    for (i, p) in params.iter().enumerate() {
        let a = std::mem::replace(&mut ctx.args[base + i], Value::Bool(false));
        let bound = match p {
            PatCode::Reg(r) => {
                ctx.regs[*r] = a;
                Ok(())
            }
            _ => p.bind(ctx, a, site),
        };
        if let Err(e) = bound {
            ctx.args.truncate(base);
            return Err(e);
        }
    }
    ctx.args.truncate(base);
    if let Some(n) = ctx.active.get_mut(id) {
        *n += 1;
    }
    let result = body(ctx);
    if let Some(n) = ctx.active.get_mut(id) {
        *n -= 1;
    }
    result
}

/// Calls `d`, whose plain parameters are the registers `regs`, with `values`: they are
/// moved into the registers when `d` is not already running (its registers are free) and the
/// evaluation is not too deep; otherwise, or when `d` has no code, the call goes the general
/// way ([`Compiled::call_stacked`]), with the same checks and errors.
#[inline]
fn call_direct<const N: usize>(ctx: &mut Ctx, d: DefId, regs: [usize; N], values: [Value; N], site: Span) -> EvalResult
where
    [Value; N]: Arguments,
{
    let compiled = ctx.compiled;
    match compiled.defs.get(d as usize) {
        Some(Some(code)) if ctx.active.get(d as usize) == Some(&0) && ctx.depth <= MAX_DEPTH && !code.cacheable && !code.per_state => {
            ctx.check_interrupt(site)?;
            values.move_into(&mut ctx.regs, &regs);
            ctx.active[d as usize] = 1;
            ctx.depth += 1;
            let result = (code.body)(ctx);
            ctx.depth -= 1;
            ctx.active[d as usize] = 0;
            result.map_err(|e| ctx.annotate(e, d, site))
        }
        _ => {
            let base = ctx.args.len();
            ctx.args.extend(values);
            compiled.call_stacked(ctx, d, base, site)
        }
    }
}

/// A call's evaluated arguments, a fixed number of them, moved into registers one by one
/// (taken apart by pattern: iterating the array would leave drop glue for the rest).
pub trait Arguments {
    /// Moves the arguments into `regs[at[0]]`, `regs[at[1]]`, ...; `at` has one register
    /// per argument (the callers check the count).
    fn move_into(self, regs: &mut [Value], at: &[usize]);
}

impl Arguments for [Value; 1] {
    #[inline(always)]
    fn move_into(self, regs: &mut [Value], at: &[usize]) {
        let [a] = self;
        if let [r] = at {
            regs[*r] = a;
        }
    }
}

impl Arguments for [Value; 2] {
    #[inline(always)]
    fn move_into(self, regs: &mut [Value], at: &[usize]) {
        let [a, b] = self;
        if let [r, q] = at {
            regs[*r] = a;
            regs[*q] = b;
        }
    }
}

impl Arguments for [Value; 3] {
    #[inline(always)]
    fn move_into(self, regs: &mut [Value], at: &[usize]) {
        let [a, b, c] = self;
        if let [r, q, t] = at {
            regs[*r] = a;
            regs[*q] = b;
            regs[*t] = c;
        }
    }
}

/// The registers of `params` when each is a plain name (no parameters: none).
fn plain_registers(params: Option<&[PatCode]>) -> Option<Vec<usize>> {
    params.unwrap_or(&[]).iter().map(|p| match p {
        PatCode::Reg(r) => Some(*r),
        _ => None,
    }).collect()
}

/// Moves the last `regs.len()` arguments into `regs` (the caller checked there are that
/// many, and that operator `id` is not running: its registers are free) and runs `body`.
#[inline]
fn run_plain(ctx: &mut Ctx, id: usize, regs: &[usize], body: &Code) -> EvalResult {
    for r in regs.iter().rev() {
        let Some(v) = ctx.args.pop() else { break };
        ctx.regs[*r] = v;
    }
    if let Some(n) = ctx.active.get_mut(id) {
        *n += 1;
    }
    let result = body(ctx);
    if let Some(n) = ctx.active.get_mut(id) {
        *n -= 1;
    }
    result
}

/// Applies an operator value.
pub fn apply(ctx: &mut Ctx, f: &Value, args: &[Value], span: Span) -> EvalResult {
    let base = ctx.args.len();
    ctx.args.extend(args.iter().cloned());
    apply_stacked(ctx, f, base, span)
}

/// Applies an operator value to the arguments on the context's argument stack from `base`
/// on (they are taken off it, not cloned).
pub fn apply_stacked(ctx: &mut Ctx, f: &Value, base: usize, span: Span) -> EvalResult {
    match f {
        Value::Lambda(l) => match &**l {
            Lambda::Code(code) => code.call_stacked(ctx, base),
            Lambda::Def { def, site } => {
                let compiled = ctx.compiled;
                compiled.call_stacked(ctx, *def, base, *site)
            }
            Lambda::Builtin { op, span, .. } => {
                let args = ctx.args.split_off(base);
                op(ctx, &args, *span)
            }
        },
        other => {
            ctx.args.truncate(base);
            Err(error(span, format!("{other} is not an operator")))
        }
    }
}

/// A compiled anonymous operator: its parameters, the registers they write, its body.
pub struct LambdaCode {
    pub name: Arc<str>,
    /// Its re-entry counter in `Ctx::active` (after the definitions').
    id: usize,
    params: Vec<PatCode>,
    regs: Vec<usize>,
    /// The parameters' registers when each is a plain name (see `DefCode::plain_params`).
    plain_params: Option<Vec<usize>>,
    body: Code,
    span: Span,
}

impl LambdaCode {
    pub fn call(&self, ctx: &mut Ctx, args: &[Value]) -> EvalResult {
        let base = ctx.args.len();
        ctx.args.extend(args.iter().cloned());
        self.call_stacked(ctx, base)
    }

    /// Calls the operator with `values`: moved straight into its registers when its
    /// parameters are plain names, as many as the values, and it is not already running;
    /// otherwise through the argument stack ([`LambdaCode::call_stacked`]), with its checks.
    #[inline]
    pub fn call_direct<const N: usize>(&self, ctx: &mut Ctx, values: [Value; N]) -> EvalResult
    where
        [Value; N]: Arguments,
    {
        if let Some(regs) = &self.plain_params {
            if regs.len() == N && ctx.active.get(self.id) == Some(&0) {
                values.move_into(&mut ctx.regs, regs);
                ctx.active[self.id] = 1;
                let result = (self.body)(ctx);
                ctx.active[self.id] = 0;
                return result;
            }
        }
        let base = ctx.args.len();
        ctx.args.extend(values);
        self.call_stacked(ctx, base)
    }

    /// Calls the operator with the arguments on the stack from `base` on.
    pub fn call_stacked(&self, ctx: &mut Ctx, base: usize) -> EvalResult {
        let given = ctx.args.len() - base;
        if self.params.len() != given {
            ctx.args.truncate(base);
            return Err(error(self.span, format!("this operator takes {} arguments, given {}", self.params.len(), given)));
        }
        if let Some(regs) = &self.plain_params {
            if ctx.active.get(self.id) == Some(&0) {
                return run_plain(ctx, self.id, regs, &self.body);
            }
        }
        run_bound(ctx, self.id, &self.params, &self.regs, base, self.span, &self.body)
    }
}

/// Evaluates arguments onto the context's argument stack; returns where they start.
fn push_args(ctx: &mut Ctx, codes: &[Code]) -> Result<usize, Box<crate::eval::EvalError>> {
    let base = ctx.args.len();
    for a in codes {
        match a(ctx) {
            Ok(v) => ctx.args.push(v),
            Err(e) => {
                ctx.args.truncate(base);
                return Err(e);
            }
        }
    }
    Ok(base)
}

struct Compiler<'a> {
    program: &'a Program,
    base: usize,
    /// The first register of each definition (its locals follow).
    bases: &'a [usize],
    types: &'a Types,
    /// The local names of the definition being compiled.
    locals: &'a [LocalInfo],
    /// The next anonymous operator's re-entry counter.
    lambdas: &'a std::cell::Cell<usize>,
    /// Names and constants shared by the whole compilation (see `Names`).
    names: &'a Names,
    /// Calls with constant arguments kept per state (see `Memo`).
    memo: &'a Memo,
    /// The locals of the definition whose one read moves the value out of its register
    /// instead of cloning it (see [`last_use`]).
    moves: std::cell::RefCell<Vec<bool>>,
    /// Whether the body being compiled (of the definition, of an operator in it) is never
    /// evaluated again with its locals kept (see [`last_use::retry_free`]).
    retry_free: std::cell::Cell<bool>,
}

/// Calls of an effect-free definition whose arguments are all constants (`won(X)`): their
/// value depends on the state alone, so it is kept per state like a `val`'s
/// (`Ctx::state_value`), in a slot numbered after the definitions'. The same definition
/// with the same constants shares one slot wherever it is written: the invariant's `won(O)`
/// and the next step's `won(O)` are computed once per state.
struct Memo {
    effect_free: Vec<bool>,
    first_slot: usize,
    calls: std::cell::RefCell<Vec<(DefId, Vec<Value>)>>,
}

impl Memo {
    /// The slot of `d` called with `args`.
    fn slot(&self, d: DefId, args: &[Value]) -> DefId {
        let mut calls = self.calls.borrow_mut();
        let at = match calls.iter().position(|(e, a)| *e == d && a.as_slice() == args) {
            Some(at) => at,
            None => {
                calls.push((d, args.to_vec()));
                calls.len() - 1
            }
        };
        (self.first_slot + at) as DefId
    }
}

/// One allocation per distinct field name, variant name and string literal in a
/// compilation, and one value per constant variant without payload: records the program
/// builds then share their field names with the paths that read them and with each other,
/// so comparing names finds the same pointer and does not look at the text (values are
/// equal, ordered and hashed by contents all the same).
#[derive(Default)]
struct Names {
    text: std::cell::RefCell<std::collections::HashMap<String, Arc<str>>>,
    unit_variants: std::cell::RefCell<std::collections::HashMap<String, Value>>,
}

impl Names {
    fn name(&self, s: &str) -> Arc<str> {
        let mut text = self.text.borrow_mut();
        match text.get(s) {
            Some(shared) => shared.clone(),
            None => {
                let shared: Arc<str> = Arc::from(s);
                text.insert(s.to_string(), shared.clone());
                shared
            }
        }
    }

    /// The variant `name` without payload (its payload is the empty tuple).
    fn unit_variant(&self, name: &str) -> Value {
        if let Some(v) = self.unit_variants.borrow().get(name) {
            return v.clone();
        }
        let v = Value::Variant(self.name(name), Arc::new(Value::unit()));
        self.unit_variants.borrow_mut().insert(name.to_string(), v.clone());
        v
    }
}

impl Compiler<'_> {
    fn reg(&self, local: LocalId) -> usize {
        self.base + local as usize
    }

    /// The code of an operator's body (a lambda's, a local `def`'s), compiled in its own scope
    /// of [`Self::retry_free`]: its parameters may be moved at their last read when the body
    /// runs once per call.
    fn operator_body(&self, params: &[Pat], body: &Expr) -> Code {
        let outer = self.retry_free.get();
        let free = last_use::retry_free(self.program, &self.memo.effect_free, body);
        self.retry_free.set(free);
        if free {
            self.allow_moves(params, body);
        }
        let code = self.expr(body);
        self.retry_free.set(outer);
        code
    }

    /// Marks the plain names among `params` that `body` reads at most once on any path (and
    /// not inside an operator it defines) as moved at that read. Only for a body that runs
    /// once per binding of its names (`retry_free`).
    fn allow_moves(&self, params: &[Pat], body: &Expr) {
        let mut moves = self.moves.borrow_mut();
        for p in params {
            if let Pat::Bind(l) = p {
                if last_use::reads(body, *l) <= 1 {
                    if let Some(slot) = moves.get_mut(*l as usize) {
                        *slot = true;
                    }
                }
            }
        }
    }

    fn pattern(&self, p: &Pat) -> PatCode {
        match p {
            Pat::Bind(l) => PatCode::Reg(self.reg(*l)),
            Pat::Hole(_) => PatCode::Ignore,
            Pat::Tuple(items, _) => PatCode::Tuple(items.iter().map(|i| self.pattern(i)).collect()),
            Pat::Record(fields, _) => PatCode::Record(fields.iter().map(|(n, l)| (self.names.name(n), self.reg(*l))).collect()),
        }
    }

    pub fn expr(&self, e: &Expr) -> Code {
        stacker::maybe_grow(64 * 1024, 2 * 1024 * 1024, || self.expr_inner(e))
    }

    fn expr_inner(&self, e: &Expr) -> Code {
        let span = e.span;
        if let Some(v) = self.constant_compound(e) {
            return Arc::new(move |_| Ok(v.clone()));
        }
        match &e.kind {
            ExprKind::Int(n) => {
                let v = Value::Int(crate::value::Int::from_big(n.clone()));
                Arc::new(move |_| Ok(v.clone()))
            }
            ExprKind::Bool(b) => {
                let b = *b;
                Arc::new(move |_| Ok(Value::Bool(b)))
            }
            ExprKind::Str(s) => {
                let v = Value::Str(self.names.name(s));
                Arc::new(move |_| Ok(v.clone()))
            }
            ExprKind::Local(l) => {
                let r = self.reg(*l);
                if self.moves.borrow().get(*l as usize).copied().unwrap_or(false) {
                    // The only read of the local on any path through its body: the value
                    // leaves the register, so that an update of it (`acc.put(k, v)` in a
                    // `fold`) finds it unshared and changes it in place.
                    return Arc::new(move |ctx| Ok(std::mem::replace(&mut ctx.regs[r], Value::Bool(false))));
                }
                Arc::new(move |ctx| Ok(ctx.regs[r].clone()))
            }
            ExprKind::Def(d) => {
                let d = *d;
                // A definition with an empty parameter list used by name (`def f() = ...`,
                // then `f`) stands for its value, as in Quint.
                let has_params = self.program.defs[d as usize].params.as_ref().is_some_and(|ps| !ps.is_empty());
                if has_params {
                    Arc::new(move |ctx| Ok(ctx.compiled.def_as_value(d, span)))
                } else {
                    Arc::new(move |ctx| {
                        let compiled = ctx.compiled;
                        compiled.call(ctx, d, Vec::new(), span)
                    })
                }
            }
            ExprKind::Var(v) => {
                let v = *v;
                Arc::new(move |ctx| ctx.var(v, span))
            }
            ExprKind::Const(c) => {
                let name = self.program.consts[*c as usize].name.clone();
                Arc::new(move |_| Err(error(span, format!("the constant `{name}` has no value: instantiate the module with `import M({name} = ...)`"))))
            }
            ExprKind::Builtin(name) => builtins::value(name, span),
            ExprKind::Call { callee, args, .. } => {
                let arg_codes: Vec<Code> = args.iter().map(|a| self.expr(a)).collect();
                match callee {
                    Callee::Builtin(name) => {
                        if *name == "apalache::generate" {
                            let ty = self.types.at(span);
                            return Arc::new(move |ctx| match &ty {
                                Some(t) => crate::generate::generate(ctx, t, span),
                                None => Err(error(span, "cannot tell which type of value to generate")),
                            });
                        }
                        if *name == "get" && args.len() == 2 {
                            if let Some(path) = self.path(e) {
                                return Arc::new(move |ctx| path.get(ctx).cloned());
                            }
                            if let Some(place) = self.place(&args[0]) {
                                let key = arg_codes[1].clone();
                                return Arc::new(move |ctx| {
                                    place.get(ctx, span)?;
                                    let k = key(ctx)?;
                                    builtins::map_get(place.get(ctx, span)?, &k, span)
                                });
                            }
                        }
                        if (*name == "contains" || *name == "in") && args.len() == 2 {
                            // Membership in a set read in place (a state variable, a local, a
                            // field of one): the set is borrowed, not cloned and dropped.
                            let (set_at, elem_at) = if *name == "contains" { (0, 1) } else { (1, 0) };
                            if let Some(path) = self.path(&args[set_at]) {
                                let elem = Sub::of(arg_codes[elem_at].clone(), &args[elem_at]);
                                let set_first = set_at == 0;
                                return Arc::new(move |ctx| {
                                    // Read in the order the arguments are written: a path
                                    // that cannot be read fails before the element runs.
                                    if set_first {
                                        path.get(ctx)?;
                                    }
                                    let x = elem.run(ctx)?;
                                    let found = builtins::set(path.get(ctx)?, span)?.contains(&x);
                                    x.discard();
                                    Ok(Value::Bool(found))
                                });
                            }
                        }
                        if *name == "size" && args.len() == 1 {
                            // `S.filter(p).size()` counts without building the filtered set.
                            if let ExprKind::Call { callee: Callee::Builtin("filter"), args: inner, .. } = &args[0].kind {
                                if inner.len() == 2 {
                                    let (set, pred) = (Sub::new(self.expr(&inner[0])), Sub::new(self.expr(&inner[1])));
                                    let filter_span = args[0].span;
                                    return Arc::new(move |ctx| {
                                        let s = set.run(ctx)?;
                                        let p = pred.run(ctx)?;
                                        builtins::count_filtered(ctx, &s, &p, filter_span)
                                    });
                                }
                            }
                        }
                        if (*name == "eq" || *name == "neq") && args.len() == 2 {
                            if let Some(code) = self.equality(*name == "eq", &args[0], &args[1], &arg_codes) {
                                return code;
                            }
                        }
                        builtins::compile(name, arg_codes, args, span)
                    }
                    Callee::Def(d) => {
                        let d = *d;
                        if let Some(code) = self.memoized_call(d, args, span) {
                            return code;
                        }
                        if let Some(code) = self.direct_call(d, &arg_codes, span) {
                            return code;
                        }
                        Arc::new(move |ctx| {
                            let base = push_args(ctx, &arg_codes)?;
                            let compiled = ctx.compiled;
                            compiled.call_stacked(ctx, d, base, span)
                        })
                    }
                    Callee::Local(l) => {
                        let r = self.reg(*l);
                        Arc::new(move |ctx| {
                            let base = push_args(ctx, &arg_codes)?;
                            let f = ctx.regs[r].clone();
                            apply_stacked(ctx, &f, base, span)
                        })
                    }
                }
            }
            ExprKind::Lambda { params, body: body_ir } => {
                let params_code: Vec<PatCode> = params.iter().map(|p| self.pattern(p)).collect();
                let body = self.operator_body(params, body_ir);
                self.lambda(params_code, body, "anonymous operator".into(), span)
            }
            ExprKind::Let { local, params, value, body: body_ir, .. } => {
                let r = self.reg(*local);
                if params.is_none() && self.retry_free.get() {
                    self.allow_moves(&[Pat::Bind(*local)], body_ir);
                }
                let body = Sub::new(self.expr(body_ir));
                match params {
                    Some(ps) => {
                        let ps_code: Vec<PatCode> = ps.iter().map(|p| self.pattern(p)).collect();
                        let value_code = self.operator_body(ps, value);
                        let op = self.lambda(ps_code, value_code, self.local_name(*local), span);
                        Arc::new(move |ctx| {
                            ctx.regs[r] = op(ctx)?;
                            body.run(ctx)
                        })
                    }
                    None => {
                        let value = self.expr(value);
                        Arc::new(move |ctx| {
                            ctx.regs[r] = value(ctx)?;
                            body.run(ctx)
                        })
                    }
                }
            }
            ExprKind::LetPat { pat, value, body } => {
                let pat = self.pattern(pat);
                let value = self.expr(value);
                let body = Sub::new(self.expr(body));
                Arc::new(move |ctx| {
                    let v = value(ctx)?;
                    pat.bind(ctx, v, span)?;
                    body.run(ctx)
                })
            }
            ExprKind::Nondet { local, value, body, .. } => {
                let r = self.reg(*local);
                let name: Arc<str> = Arc::from(self.local_name(*local).as_str());
                let body = Sub::new(self.expr(body));
                // `nondet x = S.oneOf()`: the chooser picks (and retries while the rest of the
                // action is disabled, if it wants to); an empty set disables the action.
                let set_code = match &value.kind {
                    ExprKind::Call { callee: Callee::Builtin("oneOf"), args, .. } if args.len() == 1 => Some(self.expr(&args[0])),
                    _ => None,
                };
                let value = self.expr(value);
                // Only an action may be disabled by an empty set (its value is then `false`);
                // any other expression has no value to give.
                let is_action = matches!(self.types.at(span), Some(spec_analysis::ty::Ty::Bool) | None);
                // The rest of the action with `x` bound to a pick.
                let pick_name = name.clone();
                let run = move |ctx: &mut Ctx, picked: Value| {
                    if ctx.record_picks {
                        ctx.picks.push((pick_name.clone(), picked.clone()));
                    }
                    ctx.regs[r] = picked;
                    body.run(ctx)
                };
                Arc::new(move |ctx| match &set_code {
                    Some(set) => match set(ctx)? {
                        Value::Set(s) if !is_action && s.is_empty() => Err(error(
                            span,
                            format!("`nondet {name} = S.oneOf()` picks from an empty set, and this expression is not an action: it has no value"),
                        )),
                        Value::Set(s) => crate::choose::nondet(ctx, &name, &s, span, &run),
                        other => Err(error(span, format!("oneOf needs a set, found {other}"))),
                    },
                    None => {
                        let picked = value(ctx)?;
                        run(ctx, picked)
                    }
                })
            }
            ExprKind::Match { scrutinee, arms } => {
                let path = self.path(scrutinee);
                let scrutinee = self.expr(scrutinee);
                let arms: Vec<(Option<Arc<str>>, Option<PatCode>, Code)> = arms
                    .iter()
                    .map(|a| (a.variant.as_ref().map(|v| self.names.name(v)), a.pat.as_ref().map(|p| self.pattern(p)), self.expr(&a.body)))
                    .collect();
                if let Some(path) = path {
                    // Matching a local or a part of one: only the payload is cloned, and
                    // only when the arm binds it.
                    return Arc::new(move |ctx| {
                        let (arm, payload) = {
                            let v = path.get(ctx)?;
                            let Value::Variant(name, payload) = v else { return Err(error(span, format!("match needs a variant, found {v}"))) };
                            match arms.iter().position(|(variant, _, _)| variant.as_ref().is_none_or(|n| crate::value::same_name(n, name))) {
                                Some(i) => (i, arms[i].1.is_some().then(|| (**payload).clone())),
                                None => return Err(error(span, format!("no case of this match covers {v}"))),
                            }
                        };
                        let (_, pat, body) = &arms[arm];
                        if let (Some(p), Some(payload)) = (pat, payload) {
                            p.bind(ctx, payload, span)?;
                        }
                        body(ctx)
                    });
                }
                Arc::new(move |ctx| {
                    let v = scrutinee(ctx)?;
                    let Value::Variant(name, payload) = &v else { return Err(error(span, format!("match needs a variant, found {v}"))) };
                    for (variant, pat, body) in &arms {
                        match variant {
                            Some(n) if !crate::value::same_name(n, name) => continue,
                            _ => {}
                        }
                        if let Some(p) = pat {
                            p.bind(ctx, (**payload).clone(), span)?;
                        }
                        return body(ctx);
                    }
                    Err(error(span, format!("no case of this match covers {v}")))
                })
            }
            ExprKind::Variant { name, payload, .. } => {
                let name: Arc<str> = self.names.name(name);
                match payload {
                    None => {
                        let v = self.names.unit_variant(&name);
                        Arc::new(move |_| Ok(v.clone()))
                    }
                    Some(p) => {
                        let p = self.expr(p);
                        Arc::new(move |ctx| Ok(Value::Variant(name.clone(), Arc::new(p(ctx)?))))
                    }
                }
            }
            ExprKind::Assign { var, value } => {
                let var = *var as usize;
                let value = self.expr(value);
                Arc::new(move |ctx| {
                    let v = value(ctx)?;
                    if ctx.next[var].is_some() {
                        let name = &ctx.compiled.program.vars[var].name;
                        return Err(error(span, format!("`{name}` is assigned twice in one step")));
                    }
                    ctx.next[var] = Some(v);
                    Ok(Value::Bool(true))
                })
            }
            ExprKind::Record(fields) => {
                let mut fields: Vec<(Arc<str>, Code)> = fields.iter().map(|(n, e)| (self.names.name(n), self.expr(e))).collect();
                fields.sort_by(|a, b| a.0.cmp(&b.0));
                Arc::new(move |ctx| {
                    let mut values = Vec::with_capacity(fields.len());
                    for (n, c) in &fields {
                        values.push((n.clone(), c(ctx)?));
                    }
                    Ok(Value::Record(Arc::new(values)))
                })
            }
            ExprKind::Field { record, field } => {
                let field: Arc<str> = self.names.name(field);
                if let Some(path) = self.path(e) {
                    return Arc::new(move |ctx| path.get(ctx).cloned());
                }
                let record = self.expr(record);
                Arc::new(move |ctx| {
                    let r = record(ctx)?;
                    r.field(&field).cloned().ok_or_else(|| error(span, format!("the record {r} has no field {field}")))
                })
            }
            ExprKind::Item { tuple, index } => {
                let index = *index;
                if let Some(path) = self.path(e) {
                    return Arc::new(move |ctx| path.get(ctx).cloned());
                }
                let tuple = self.expr(tuple);
                Arc::new(move |ctx| match tuple(ctx)? {
                    Value::Tuple(items) if index >= 1 && index <= items.len() => Ok(items[index - 1].clone()),
                    other => Err(error(span, format!("{other} has no item {index}"))),
                })
            }
            ExprKind::Error => Arc::new(move |_| Err(error(span, "this expression has errors and cannot be evaluated"))),
        }
    }

    fn place(&self, e: &Expr) -> Option<Place> {
        match &e.kind {
            ExprKind::Local(l) => Some(Place::Reg(self.reg(*l))),
            ExprKind::Var(v) => Some(Place::Var(*v)),
            _ => None,
        }
    }

    /// `e` as a path read in place (see `place.rs`): a local or a state variable, or fields,
    /// items and map entries (at keys that are themselves operands) of one.
    fn path(&self, e: &Expr) -> Option<Path> {
        let (mut path, step) = match &e.kind {
            ExprKind::Local(l) => return Some(Path { base: Place::Reg(self.reg(*l)), span: e.span, steps: Vec::new() }),
            ExprKind::Var(v) => return Some(Path { base: Place::Var(*v), span: e.span, steps: Vec::new() }),
            ExprKind::Field { record, field } => (self.path(record)?, Step::Field(self.names.name(field))),
            ExprKind::Item { tuple, index } => (self.path(tuple)?, Step::Item(*index)),
            ExprKind::Call { callee: Callee::Builtin("get"), args, .. } if args.len() == 2 => (self.path(&args[0])?, Step::Get(self.operand(&args[1])?)),
            _ => return None,
        };
        if path.steps.is_empty() {
            // An unassigned variable is reported at the expression that reads into it.
            path.span = e.span;
        }
        path.steps.push((step, e.span));
        Some(path)
    }

    /// `e` as an operand read without running code: a constant (see [`Compiler::constant`])
    /// or a path.
    fn operand(&self, e: &Expr) -> Option<Operand> {
        match self.constant(e) {
            Some(v) => Some(Operand::Const(v)),
            None => Some(Operand::Path(Box::new(self.path(e)?))),
        }
    }

    /// The value of `e` when it is a constant: a literal, or a record, tuple, set, list or
    /// variant built of constants only (`{ kind: "commit", rm: "" }`, `Set((1, 2))`). Such a
    /// value is built once, at compilation, and each evaluation clones it (a reference count)
    /// instead of allocating it again. Building one cannot fail, so nothing an evaluation
    /// would report is lost.
    fn constant(&self, e: &Expr) -> Option<Value> {
        match &e.kind {
            ExprKind::Int(n) => Some(Value::Int(crate::value::Int::from_big(n.clone()))),
            ExprKind::Bool(b) => Some(Value::Bool(*b)),
            ExprKind::Str(s) => Some(Value::Str(self.names.name(s))),
            ExprKind::Variant { name, payload: None, .. } => Some(self.names.unit_variant(name)),
            _ => self.constant_compound(e),
        }
    }

    /// [`Compiler::constant`] for the kinds built of parts: `None` for a literal.
    fn constant_compound(&self, e: &Expr) -> Option<Value> {
        stacker::maybe_grow(64 * 1024, 2 * 1024 * 1024, || match &e.kind {
            ExprKind::Variant { name, payload: Some(p), .. } => Some(Value::Variant(self.names.name(name), Arc::new(self.constant(p)?))),
            ExprKind::Record(fields) => {
                let mut values = fields.iter().map(|(n, e)| Some((self.names.name(n), self.constant(e)?))).collect::<Option<Vec<_>>>()?;
                // As the record code below: sorted by name, stably.
                values.sort_by(|a, b| a.0.cmp(&b.0));
                Some(Value::Record(Arc::new(values)))
            }
            ExprKind::Call { callee: Callee::Builtin(name @ ("Tup" | "Set" | "List")), args, .. } => {
                let values = args.iter().map(|a| self.constant(a)).collect::<Option<Vec<_>>>()?;
                Some(match *name {
                    "Tup" => Value::Tuple(Arc::new(values)),
                    "Set" => Value::Set(crate::set::SetValue::Explicit(crate::collection::ValueSet::from_vec(values))),
                    _ => Value::list(values.into_iter().collect()),
                })
            }
            _ => None,
        })
    }

    /// `a == b` (or `a != b`) comparing in place when either side is an operand: two
    /// operands are compared borrowed; a constant is compared with the other side's value
    /// without being cloned. `None`: neither is (the builtin does it).
    fn equality(&self, equal: bool, a: &Expr, b: &Expr, codes: &[Code]) -> Option<Code> {
        match (self.operand(a), self.operand(b)) {
            (Some(x), Some(y)) => Some(Arc::new(move |ctx| Ok(Value::Bool((x.get(ctx)? == y.get(ctx)?) == equal)))),
            // A constant cannot fail, so the other side may be evaluated first.
            (Some(Operand::Const(c)), None) | (None, Some(Operand::Const(c))) => {
                let other = Sub::new(if matches!(self.operand(a), Some(Operand::Const(_))) { codes[1].clone() } else { codes[0].clone() });
                Some(Arc::new(move |ctx| Ok(Value::Bool((other.run(ctx)? == c) == equal))))
            }
            _ => None,
        }
    }

    /// A call of effect-free `d` with constant, non-empty `args`, kept per state (see `Memo`);
    /// `None` for any other call.
    fn memoized_call(&self, d: DefId, args: &[Expr], span: Span) -> Option<Code> {
        if args.is_empty() || !self.memo.effect_free.get(d as usize).copied().unwrap_or(false) {
            return None;
        }
        let constants: Vec<Value> = args
            .iter()
            .map(|a| match self.operand(a) {
                Some(Operand::Const(v)) => Some(v),
                _ => None,
            })
            .collect::<Option<_>>()?;
        let slot = self.memo.slot(d, &constants);
        Some(Arc::new(move |ctx| {
            if let Some(v) = ctx.state_value(slot) {
                return Ok(v);
            }
            let base = ctx.args.len();
            ctx.args.extend(constants.iter().cloned());
            let compiled = ctx.compiled;
            let value = compiled.call_stacked(ctx, d, base, span)?;
            ctx.keep_state_value(slot, value.clone());
            Ok(value)
        }))
    }

    /// A call of `d` with one to three arguments bound to plain parameters: the arguments
    /// are evaluated into a local array and moved straight into the parameters' registers,
    /// without the context's argument stack (see [`call_direct`]). `None` for any other call.
    fn direct_call(&self, d: DefId, args: &[Code], span: Span) -> Option<Code> {
        let def = &self.program.defs[d as usize];
        def.body.as_ref()?;
        let base = self.bases[d as usize];
        let regs: Vec<usize> = def.params.as_ref()?.iter().map(|p| match p {
            Pat::Bind(l) => Some(base + *l as usize),
            _ => None,
        }).collect::<Option<_>>()?;
        if regs.len() != args.len() {
            return None;
        }
        Some(match (args, regs.as_slice()) {
            ([a], &[r]) => {
                let a = a.clone();
                Arc::new(move |ctx| {
                    let x = a(ctx)?;
                    call_direct(ctx, d, [r], [x], span)
                })
            }
            ([a, b], &[r, q]) => {
                let (a, b) = (a.clone(), b.clone());
                Arc::new(move |ctx| {
                    let x = a(ctx)?;
                    let y = b(ctx)?;
                    call_direct(ctx, d, [r, q], [x, y], span)
                })
            }
            ([a, b, c], &[r, q, t]) => {
                let (a, b, c) = (a.clone(), b.clone(), c.clone());
                Arc::new(move |ctx| {
                    let x = a(ctx)?;
                    let y = b(ctx)?;
                    let z = c(ctx)?;
                    call_direct(ctx, d, [r, q, t], [x, y, z], span)
                })
            }
            _ => return None,
        })
    }

    fn local_name(&self, local: LocalId) -> String {
        self.locals.get(local as usize).map(|l| l.name.clone()).unwrap_or_default()
    }

    fn lambda(&self, params: Vec<PatCode>, body: Code, name: String, span: Span) -> Code {
        let mut regs = Vec::new();
        params.iter().for_each(|p| p.regs(&mut regs));
        let id = self.lambdas.get();
        self.lambdas.set(id + 1);
        let plain_params = plain_registers(Some(&params));
        let code = Arc::new(LambdaCode { name: Arc::from(name.as_str()), id, params, regs, plain_params, body, span });
        // An operator captures nothing (its free names are registers), so its value is a
        // constant: built once here, shared by every evaluation.
        let value = Value::Lambda(Arc::new(Lambda::Code(code)));
        Arc::new(move |_ctx| Ok(value.clone()))
    }
}

/// Which reads of a local may move its value out of the register instead of cloning it.
///
/// Registers hold the parameters and local values of a definition while its body runs; a read
/// clones the value (an `Arc` count taken, given back when the clone is dropped). When a name
/// is read at most once on every path through the body, that read is the last: moving the value
/// out costs nothing, and the value stays unshared, so that an update of it changes it in place
/// (a `fold` whose operator does `acc.put(k, v)` copied the whole map at every step: the
/// register still held it). This holds only for a body that runs once for each binding of its
/// names: one that chooses (`nondet`, `any`) may be run again from a choice with its registers
/// as they were, so it is left alone (`retry_free`).
mod last_use {
    use super::EFFECTS;
    use spec_analysis::ir::{Callee, Expr, ExprKind, LocalId, Program};

    /// Reads of `l` on the path through `e` that reads it most, 2 meaning "more than one".
    /// A read inside an operator that `e` defines counts as many: the operator may run
    /// any number of times.
    pub fn reads(e: &Expr, l: LocalId) -> u32 {
        let sum = |es: &mut dyn Iterator<Item = &Expr>| es.map(|c| reads(c, l)).fold(0u32, |a, b| a.saturating_add(b)).min(2);
        match &e.kind {
            ExprKind::Local(x) => u32::from(*x == l),
            ExprKind::Lambda { body, .. } => {
                if mentions(body, l) {
                    2
                } else {
                    0
                }
            }
            ExprKind::Let { params: Some(_), value, body, .. } => {
                if mentions(value, l) {
                    2
                } else {
                    reads(body, l)
                }
            }
            ExprKind::Call { callee: Callee::Builtin("ite"), args, .. } if args.len() == 3 => reads(&args[0], l).saturating_add(reads(&args[1], l).max(reads(&args[2], l))).min(2),
            ExprKind::Call { callee: Callee::Local(x), args, .. } => u32::from(*x == l).saturating_add(sum(&mut args.iter())).min(2),
            ExprKind::Match { scrutinee, arms } => reads(scrutinee, l).saturating_add(arms.iter().map(|a| reads(&a.body, l)).max().unwrap_or(0)).min(2),
            _ => sum(&mut e.children().into_iter()),
        }
    }

    /// Whether `l` occurs in `e` at all.
    fn mentions(e: &Expr, l: LocalId) -> bool {
        let mut todo = vec![e];
        while let Some(e) = todo.pop() {
            match &e.kind {
                ExprKind::Local(x) | ExprKind::Call { callee: Callee::Local(x), .. } if *x == l => return true,
                _ => e.push_children(&mut todo),
            }
        }
        false
    }

    /// Whether `body` runs once for each binding of its names: it makes no choice, assigns
    /// nothing, commits nothing, and calls no operator it was given (which might) nor a
    /// definition that does.
    pub fn retry_free(program: &Program, effect_free: &[bool], body: &Expr) -> bool {
        let mut todo = vec![body];
        while let Some(e) = todo.pop() {
            let ok = match &e.kind {
                ExprKind::Nondet { .. } | ExprKind::Assign { .. } | ExprKind::Error => false,
                ExprKind::Builtin(name) | ExprKind::Call { callee: Callee::Builtin(name), .. } => !EFFECTS.contains(name),
                ExprKind::Def(d) | ExprKind::Call { callee: Callee::Def(d), .. } => effect_free.get(*d as usize).copied().unwrap_or(false) || program.defs.get(*d as usize).is_some_and(|def| def.body.is_none()),
                ExprKind::Call { callee: Callee::Local(_), .. } => false,
                _ => true,
            };
            if !ok {
                return false;
            }
            e.push_children(&mut todo);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use crate::{RandomChooser, Spec, Value};

    fn spec(body: &str) -> Spec {
        Spec::from_text("t.qnt", &format!("module t {{ {body} }}"), None).unwrap_or_else(|e| panic!("{}", e.sources.render(&e.diagnostics)))
    }

    fn eval(spec: &Spec, name: &str) -> Value {
        let d = spec.lookup(name).unwrap();
        spec.eval_def(&spec.state0(), d, &mut RandomChooser::new(1)).unwrap()
    }

    #[test]
    fn a_name_read_once_is_moved_and_one_read_again_is_not() {
        // Each of these reads a name more than once on some path, or inside an operator it
        // defines: a move at the first read would leave `false` for the next.
        let s = spec(
            "pure val m0 = Map(1 -> 2)  \
             pure val folded = Set(3, 4).fold(m0, (acc, k) => if (k == 3) acc.put(k, k) else acc.put(k, acc.keys().size()))  \
             pure def twice(v: int): int = v + v  pure val t = twice(4)  \
             pure def adder(a: int): Set[int] = Set(1, 2).map(x => x + a)  pure val added = adder(10)  \
             pure def local(v: int): int = { val w = v * 2  w + w }  pure val l = local(3)  \
             pure def branch(v: int): int = if (v > 0) v else 0 - v  pure val b = branch(0 - 5) + branch(5)  \
             pure def matched(o: Option[int], d: int): int = match o { | Some(x) => x + d | None => d }  \
             type Option[a] = Some(a) | None  pure val mm = matched(Some(1), 2) + matched(None, 2)  \
             pure val kept = m0",
        );
        assert_eq!(eval(&s, "folded").to_string(), "Map(1 -> 2, 3 -> 3, 4 -> 2)");
        // The initial accumulator, a shared constant, is not changed by the moves.
        assert_eq!(eval(&s, "kept").to_string(), "Map(1 -> 2)");
        assert_eq!(eval(&s, "t"), Value::int(8));
        assert_eq!(eval(&s, "added").to_string(), "Set(11, 12)");
        assert_eq!(eval(&s, "l"), Value::int(12));
        assert_eq!(eval(&s, "b"), Value::int(10));
        assert_eq!(eval(&s, "mm"), Value::int(5));
    }

    #[test]
    fn record_updates_change_an_unshared_record_and_copy_a_shared_one() {
        let s = spec(
            "pure val r0 = { a: 1, b: 2 }  \
             pure def set_a(r: { a: int, b: int }, x: int): { a: int, b: int } = { ...r, a: x }  \
             pure def bump(r: { a: int, b: int }): { a: int, b: int } = { ...r, a: r.a + 1, b: r.b + 1 }  \
             pure val chained = { ...r0, a: 5, b: 6 }  pure val moved = set_a(set_a(r0, 7), 8)  \
             pure val bumped = bump(bump(r0))  pure val both = [set_a(r0, 3), r0]  pure val kept = r0",
        );
        assert_eq!(eval(&s, "chained").to_string(), "{ a: 5, b: 6 }");
        assert_eq!(eval(&s, "moved").to_string(), "{ a: 8, b: 2 }");
        assert_eq!(eval(&s, "bumped").to_string(), "{ a: 3, b: 4 }");
        assert_eq!(eval(&s, "both").to_string(), "[{ a: 3, b: 2 }, { a: 1, b: 2 }]");
        assert_eq!(eval(&s, "kept").to_string(), "{ a: 1, b: 2 }");
    }

    #[test]
    fn only_names_read_at_most_once_on_every_path_are_moved() {
        use super::last_use::reads;
        use spec_analysis::ir::{ExprKind, Pat};
        let s = spec(
            "pure def once(a: int, b: int): int = if (b > 0) a else a + 1  \
             pure def again(a: int): int = a + a  \
             pure def inside(a: int): Set[int] = Set(1).map(x => x + a)  \
             pure def shadowed(a: int): int = { val c = a  c }",
        );
        let program = &s.analysis.program;
        let reads_of = |def: &str| {
            let d = &program.defs[s.lookup(def).expect("a definition") as usize];
            let body = d.body.as_ref().expect("a body");
            d.params.as_ref().expect("parameters").iter().map(|p| match p { Pat::Bind(l) => reads(body, *l), _ => 9 }).collect::<Vec<_>>()
        };
        assert_eq!(reads_of("once"), vec![1, 1]);
        assert_eq!(reads_of("again"), vec![2]);
        assert_eq!(reads_of("inside"), vec![2]);
        assert_eq!(reads_of("shadowed"), vec![1]);
        let body = program.defs[s.lookup("shadowed").expect("shadowed") as usize].body.as_ref().expect("a body");
        assert!(matches!(body.kind, ExprKind::Let { .. }));
    }

    #[test]
    fn a_reentered_operator_keeps_its_callers_parameters() {
        // The inner `app` runs while the outer one waits to read `v`.
        let s = spec("pure def app(h: int => int, v: int): int = h(v) + v  pure val r = app(x => app(y => y * 10, x + 1), 1)");
        assert_eq!(eval(&s, "r"), Value::int(23));
        let s = spec("pure def twice(f: int => int, v: int): int = f(f(v))  pure val r = twice(a => twice(b => b + a, a), 1)");
        // inner twice(b => b + a, a) = a + a + a, applied twice from 1: 3, then 9.
        assert_eq!(eval(&s, "r"), Value::int(9));
    }

    #[test]
    fn calls_with_constant_arguments_are_kept_per_state_and_per_argument() {
        // `scaled(2)` and `scaled(3)` are kept per state in slots of their own; `at(3)` fails
        // until the map has the key 3 (an error is not kept).
        let s = spec(
            "var x: int  var m: int -> int  def scaled(k: int): int = x * k  def at(k: int): int = m.get(k)  \
             val early = scaled(2)  action init = all { x' = 1, m' = Map(1 -> 0) }  \
             action step = all { x' = scaled(2) + scaled(3) + early - scaled(2), m' = m.put(x, x) }  val probe = at(3) + scaled(3)",
        );
        let mut chooser = RandomChooser::new(1);
        let (mut state, _) = s.run_action(&s.state0(), "init", &mut chooser).unwrap().unwrap();
        let probe = s.lookup("probe").unwrap();
        let mut seen = Vec::new();
        for _ in 0..3 {
            seen.push(s.eval_def(&state, probe, &mut chooser).map(|v| v.to_string()).map_err(|e| e.message.contains("the key 3")));
            state = s.run_action(&state, "step", &mut chooser).unwrap().unwrap().0;
            seen.push(Ok(s.var_value(&state, "x").unwrap().to_string()));
        }
        // x: 1 -> 5 -> 25 -> 125; m gains the key x of each state.
        let expected: Vec<Result<String, bool>> = vec![Err(true), Ok("5".into()), Err(true), Ok("25".into()), Err(true), Ok("125".into())];
        assert_eq!(seen, expected);
        let s = spec("var x: int  def scaled(k: int): int = x * k  action init = x' = 3  val probe = scaled(2) * 100 + scaled(3)");
        let (state, _) = s.run_action(&s.state0(), "init", &mut chooser).unwrap().unwrap();
        assert_eq!(s.eval_def(&state, s.lookup("probe").unwrap(), &mut chooser).unwrap(), Value::int(609));
    }

    #[test]
    fn plain_and_destructuring_parameters_bind_alike() {
        // `add` has plain parameters (bound by moving the arguments in), `addp` destructures
        // a tuple; `fold` re-enters `add` through the operator it is given.
        let s = spec(
            "pure def add(a: int, b: int): int = a - b  pure def addp(p: (int, int)): int = p._1 - p._2  \
             pure def apply2(f: (int, int) => int, x: int, y: int): int = f(x, y)  \
             pure val r = add(10, 3) * 100 + addp((10, 3)) * 10 + apply2((u, v) => add(u, apply2(add, v, 1)), 7, 4)",
        );
        // add(7, add(4, 1)) = 7 - 3 = 4
        assert_eq!(eval(&s, "r"), Value::int(700 + 70 + 4));
    }

    #[test]
    fn parts_of_locals_and_variables_are_read_in_place() {
        let s = spec(
            "var board: int -> int  action init = board' = Map(1 -> 10, 2 -> 20)  val at2 = board.get(2)  val at3 = board.get(3)  \
             pure def g(m: int -> int, k: int): int = m.get(k)  pure def first(t: (int, int)): int = t._1  \
             pure def fx(r: { x: int, y: int }): int = r.y  pure val r = g(Map(1 -> 2), 1) + first((3, 4)) + fx({ x: 5, y: 6 })  \
             pure val missing = g(Map(1 -> 2), 7)",
        );
        assert_eq!(eval(&s, "r"), Value::int(2 + 3 + 6));
        let missing = s.eval_def(&s.state0(), s.lookup("missing").unwrap(), &mut RandomChooser::new(1)).unwrap_err();
        assert!(missing.message.contains("the key 7 is not in the map"), "{}", missing.message);
        let mut chooser = RandomChooser::new(1);
        let (state, _) = s.run_action(&s.state0(), "init", &mut chooser).unwrap().unwrap();
        assert_eq!(s.eval_def(&state, s.lookup("at2").unwrap(), &mut chooser).unwrap(), Value::int(20));
        assert!(s.eval_def(&state, s.lookup("at3").unwrap(), &mut chooser).is_err());
        let unset = s.eval_def(&s.state0(), s.lookup("at2").unwrap(), &mut chooser).unwrap_err();
        assert!(unset.message.contains("board"), "{}", unset.message);
    }

    #[test]
    fn constant_records_tuples_sets_lists_and_variants_are_built_once_and_equal_built_ones() {
        // Each constant is compared with the same value built from a parameter at run time.
        let s = spec(
            "type T = A(int) | B  pure def id(x: int): int = x  \
             pure val r = { kind: \"commit\", rm: \"\", n: 1 } == { rm: \"\", n: id(1), kind: \"commit\" }  \
             pure val t = (1, \"a\", (true, 2)) == (id(1), \"a\", (true, id(2)))  \
             pure val st = Set(3, 1, 2, 1) == Set(id(1), id(2), id(3)) and Set(3, 1, 2, 1).size() == 3  \
             pure val l = [3, 1, 3] == [id(3), id(1), id(3)]  \
             pure val v = A(5) == A(id(5)) and Set(A(1), B, A(1)).size() == 2  \
             pure val nested = Set({ a: (1, [2]), b: A(3) }).contains({ b: A(id(3)), a: (id(1), [id(2)]) })",
        );
        for name in ["r", "t", "st", "l", "v", "nested"] {
            assert_eq!(eval(&s, name), Value::Bool(true), "{name}");
        }
        let constant = |src: &str| {
            let s = spec(&format!("pure val c = {src}"));
            let d = s.lookup("c").unwrap();
            let code = &s.compiled.defs[d as usize].as_ref().unwrap().body;
            let mut chooser = RandomChooser::new(1);
            let mut ctx = crate::Ctx::new(&s.compiled, s.state0(), &mut chooser);
            let (a, b) = (code(&mut ctx).unwrap(), code(&mut ctx).unwrap());
            // Built once: both evaluations share one allocation.
            match (&a, &b) {
                (Value::Record(x), Value::Record(y)) => std::sync::Arc::ptr_eq(x, y),
                (Value::Tuple(x), Value::Tuple(y)) => std::sync::Arc::ptr_eq(x, y),
                (Value::List(x), Value::List(y)) => std::sync::Arc::ptr_eq(x, y),
                (Value::Variant(_, x), Value::Variant(_, y)) => std::sync::Arc::ptr_eq(x, y),
                (Value::Set(x), Value::Set(y)) => x.to_string() == y.to_string(),
                _ => false,
            }
        };
        for src in ["{ a: 1, b: \"x\" }", "(1, 2)", "[1, 2]", "Set(1, 2)"] {
            assert!(constant(src), "{src}");
        }
    }

    #[test]
    fn set_and_put_on_owned_arguments_answer_as_before() {
        let s = spec(
            "var m: int -> int  action init = m' = Map(1 -> 10, 2 -> 20)  \
             val chained = m.set(1, 11).set(1, 12).put(3, 30)  val missing = m.set(3, 0)",
        );
        let mut chooser = RandomChooser::new(1);
        let (state, _) = s.run_action(&s.state0(), "init", &mut chooser).unwrap().unwrap();
        let chained = s.eval_def(&state, s.lookup("chained").unwrap(), &mut chooser).unwrap();
        assert_eq!(chained.to_string(), "Map(1 -> 12, 2 -> 20, 3 -> 30)");
        assert_eq!(s.var_value(&state, "m").unwrap().to_string(), "Map(1 -> 10, 2 -> 20)", "the state's map is not changed in place");
        let missing = s.eval_def(&state, s.lookup("missing").unwrap(), &mut chooser).unwrap_err();
        assert!(missing.message.contains("3 is not in the map; use `put`"), "{}", missing.message);
    }

    #[test]
    fn an_error_lists_the_calls_that_led_to_it_innermost_first() {
        // Direct calls (plain parameters), a destructuring parameter, an operator argument
        // and a value: each definition call on the way adds itself once, lambdas do not.
        let text = "pure def inner(x: int): int = 10 / x  pure def pair((a, b): (int, int)): int = inner(a - b)  \
             pure def app(f: int => int, v: int): int = f(v)  pure def middle(y: int): int = app(z => pair((z, y)), y) + 1  \
             val top = middle(3)";
        let s = spec(text);
        let e = s.eval_def(&s.state0(), s.lookup("top").unwrap(), &mut RandomChooser::new(1)).unwrap_err();
        assert!(e.message.contains("zero"), "{}", e.message);
        let source = format!("module t {{ {text} }}");
        let calls: Vec<(String, String)> = e.stack.iter().map(|(name, site)| (name.clone(), source[site.start as usize..site.end as usize].to_string())).collect();
        let expected = [("inner", "inner(a - b)"), ("pair", "pair((z, y))"), ("app", "app(z => pair((z, y)), y)"), ("middle", "middle(3)")];
        assert_eq!(calls[..4], expected.map(|(n, t)| (n.to_string(), t.to_string())), "{calls:?}");
        assert_eq!(calls.len(), 5, "the value called from outside comes last: {calls:?}");
        assert_eq!(calls[4].0, "top");
    }

    #[test]
    fn membership_in_a_set_read_in_place_answers_as_the_builtin() {
        let s = spec(
            "var msgs: Set[{ kind: str, rm: str }]  var n: int  action init = all { msgs' = Set({ kind: \"a\", rm: \"r1\" }), n' = 1 }  \
             pure def has(s: Set[int], x: int): bool = s.contains(x) and x.in(s)  \
             val r1 = { kind: \"a\", rm: \"r1\" }  val b1 = { kind: \"b\", rm: \"r1\" }  val found = msgs.contains(r1) and r1.in(msgs)  \
             val missing = msgs.contains({ kind: \"a\", rm: \"r2\" }) or b1.in(msgs)  \
             pure val local = has(Set(1, 2), 2) and not(has(Set(1, 2), 3))  val unset = msgs.contains({ kind: \"a\", rm: \"r1\" })",
        );
        let mut chooser = RandomChooser::new(1);
        let (state, _) = s.run_action(&s.state0(), "init", &mut chooser).unwrap().unwrap();
        for (name, expected) in [("found", true), ("missing", false), ("local", true)] {
            assert_eq!(s.eval_def(&state, s.lookup(name).unwrap(), &mut chooser).unwrap(), Value::Bool(expected), "{name}");
        }
        // Before init the variable has no value: the error names it.
        let unset = s.eval_def(&s.state0(), s.lookup("unset").unwrap(), &mut chooser).unwrap_err();
        assert!(unset.message.contains("msgs"), "{}", unset.message);
    }

    #[test]
    fn picks_are_noted_unless_turned_off() {
        let s = spec("var x: int  action init = x' = 0  action step = nondet v = Set(5, 6).oneOf() x' = v");
        let step = s.lookup("step").unwrap();
        let (state, _) = s.run_action(&s.state0(), "init", &mut RandomChooser::new(1)).unwrap().unwrap();
        for record in [true, false] {
            let mut chooser = RandomChooser::new(1);
            let mut ctx = crate::Ctx::new(&s.compiled, state.clone(), &mut chooser);
            ctx.record_picks = record;
            assert!(s.enabled_in(&mut ctx, step).unwrap());
            let picked = ctx.next[0].clone().unwrap();
            let expected = if record { vec![(std::sync::Arc::from("v"), picked)] } else { Vec::new() };
            assert_eq!(ctx.picks, expected);
        }
    }

    #[test]
    fn state_values_are_kept_per_state_not_across_states() {
        let s = spec("var x: int  val double = x * 2  action init = x' = 1  action step = x' = double");
        let mut chooser = RandomChooser::new(1);
        let (mut state, _) = s.run_action(&s.state0(), "init", &mut chooser).unwrap().unwrap();
        let mut seen = Vec::new();
        for _ in 0..4 {
            state = s.run_action(&state, "step", &mut chooser).unwrap().unwrap().0;
            seen.push(s.var_value(&state, "x").unwrap().to_string());
        }
        assert_eq!(seen, ["2", "4", "8", "16"]);
    }

    #[test]
    fn only_choice_free_assignment_free_values_are_kept_per_state() {
        let s = spec(
            "var x: int  val a = x + 1  def b = a * 2  def f(n: int): int = n + x  \
             action pick = nondet v = 1.to(3).oneOf() x' = v  val printed = q::debug(\"x\", x)  val uses_printed = printed + 1  action init = x' = a",
        );
        let per_state = |name: &str| s.compiled.defs[s.lookup(name).unwrap() as usize].as_ref().unwrap().per_state;
        assert!(per_state("a"));
        assert!(per_state("b"));
        assert!(!per_state("f"), "has parameters");
        assert!(!per_state("pick"), "chooses and assigns");
        assert!(!per_state("printed"), "prints");
        assert!(!per_state("uses_printed"), "prints through another definition");
        assert!(!per_state("init"), "assigns");
    }
}
