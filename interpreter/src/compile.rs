//! From the resolved IR to closures: every expression is compiled once into a
//! `Fn(&mut Ctx) -> EvalResult`, with local names turned into register numbers, so
//! evaluation does no name lookups. Definitions are compiled once each and call each other
//! through the `Compiled` table.

use crate::builtins;
use crate::eval::{error, Ctx, EvalResult};
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
pub struct Sub(Option<Code>);

impl Sub {
    pub fn new(code: Code) -> Sub {
        Sub(Some(code))
    }

    pub fn run(&self, ctx: &mut Ctx) -> EvalResult {
        match &self.0 {
            Some(code) => stacker::maybe_grow(64 * 1024, 2 * 1024 * 1024, || code(ctx)),
            None => Err(error(Span::default(), "internal error: code run after it was dropped")),
        }
    }
}

impl Drop for Sub {
    fn drop(&mut self) {
        if let Some(code) = self.0.take() {
            stacker::maybe_grow(64 * 1024, 2 * 1024 * 1024, move || drop(code));
        }
    }
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
                Value::Tuple(values) if values.len() == items.len() => {
                    for (p, v) in items.iter().zip(values.iter()) {
                        p.bind(ctx, v.clone(), span)?;
                    }
                }
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

/// A compiled definition.
pub struct DefCode {
    pub name: String,
    pub params: Option<Vec<PatCode>>,
    /// Registers written by the parameters (saved and restored around each call).
    pub param_regs: Vec<usize>,
    pub body: Code,
    /// A pure value without parameters: computed once per context.
    pub cacheable: bool,
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
        for (id, def) in program.defs.iter().enumerate() {
            let compiler = Compiler { program: &program, base: bases[id], types: &types, locals: &def.locals };
            defs.push(def.body.as_ref().map(|body| {
                let params = def.params.as_ref().map(|ps| ps.iter().map(|p| compiler.pattern(p)).collect::<Vec<_>>());
                let mut param_regs = Vec::new();
                if let Some(ps) = &params {
                    ps.iter().for_each(|p| p.regs(&mut param_regs));
                }
                DefCode {
                    name: def.name.clone(),
                    params,
                    param_regs,
                    body: compiler.expr(body),
                    cacheable: def.params.is_none() && matches!(def.qualifier, Qualifier::PureVal),
                    span: def.span,
                }
            }));
        }
        let active_vars = vec![true; program.vars.len()];
        let pure_values = (0..program.defs.len()).map(|_| std::sync::OnceLock::new()).collect();
        Compiled { program, types, defs, register_count: total, active_vars, pure_values }
    }

    /// Calls definition `d` with `args`; used by compiled code and by the API.
    pub fn call(&self, ctx: &mut Ctx, d: DefId, args: Vec<Value>, site: Span) -> EvalResult {
        let Some(code) = self.defs.get(d as usize).and_then(|c| c.as_ref()) else {
            let def = &self.program.defs[d as usize];
            let what = if matches!(def.qualifier, Qualifier::Val | Qualifier::PureVal) && def.synthetic { "has no value" } else { "has no body" };
            return Err(error(site, format!("`{}` {what}", def.name)));
        };
        if code.cacheable {
            if let Some(v) = self.pure_values[d as usize].get() {
                return Ok(v.clone());
            }
        }
        ctx.check_interrupt(site)?;
        if ctx.stack.len() > 10_000 {
            return Err(error(site, "the evaluation nests too deeply"));
        }
        let saved: SmallVec<[Value; 4]> = code.param_regs.iter().map(|r| ctx.regs[*r].clone()).collect();
        if let Some(params) = &code.params {
            if params.len() != args.len() {
                return Err(error(site, format!("`{}` takes {} arguments, given {}", code.name, params.len(), args.len())));
            }
            for (p, a) in params.iter().zip(args) {
                p.bind(ctx, a, site)?;
            }
        }
        ctx.stack.push((d, site));
        let result = (code.body)(ctx);
        ctx.stack.pop();
        for (r, v) in code.param_regs.iter().zip(saved) {
            ctx.regs[*r] = v;
        }
        let value = result.map_err(|e| ctx.annotate(e))?;
        if code.cacheable {
            let _ = self.pure_values[d as usize].set(value.clone());
        }
        Ok(value)
    }

    /// A definition as an operator value (`S.map(f)`).
    pub fn def_as_value(&self, d: DefId, site: Span) -> Value {
        Value::Lambda(Arc::new(Lambda::Def { def: d, site }))
    }
}

/// Applies an operator value.
pub fn apply(ctx: &mut Ctx, f: &Value, args: &[Value], span: Span) -> EvalResult {
    match f {
        Value::Lambda(l) => match &**l {
            Lambda::Code(code) => code.call(ctx, args),
            Lambda::Def { def, site } => {
                let compiled = ctx.compiled;
                compiled.call(ctx, *def, args.to_vec(), *site)
            }
            Lambda::Builtin { op, span, .. } => op(ctx, args, *span),
        },
        other => Err(error(span, format!("{other} is not an operator"))),
    }
}

/// A compiled anonymous operator: its parameters, the registers they write, its body.
pub struct LambdaCode {
    pub name: Arc<str>,
    params: Vec<PatCode>,
    regs: Vec<usize>,
    body: Code,
    span: Span,
}

impl LambdaCode {
    pub fn call(&self, ctx: &mut Ctx, args: &[Value]) -> EvalResult {
        if self.params.len() != args.len() {
            return Err(error(self.span, format!("this operator takes {} arguments, given {}", self.params.len(), args.len())));
        }
        let saved: SmallVec<[Value; 4]> = self.regs.iter().map(|r| ctx.regs[*r].clone()).collect();
        for (p, a) in self.params.iter().zip(args) {
            p.bind(ctx, a.clone(), self.span)?;
        }
        let result = (self.body)(ctx);
        for (r, v) in self.regs.iter().zip(saved) {
            ctx.regs[*r] = v;
        }
        result
    }
}

struct Compiler<'a> {
    program: &'a Program,
    base: usize,
    types: &'a Types,
    /// The local names of the definition being compiled.
    locals: &'a [LocalInfo],
}

impl Compiler<'_> {
    fn reg(&self, local: LocalId) -> usize {
        self.base + local as usize
    }

    fn pattern(&self, p: &Pat) -> PatCode {
        match p {
            Pat::Bind(l) => PatCode::Reg(self.reg(*l)),
            Pat::Hole(_) => PatCode::Ignore,
            Pat::Tuple(items, _) => PatCode::Tuple(items.iter().map(|i| self.pattern(i)).collect()),
            Pat::Record(fields, _) => PatCode::Record(fields.iter().map(|(n, l)| (Arc::from(n.as_str()), self.reg(*l))).collect()),
        }
    }

    pub fn expr(&self, e: &Expr) -> Code {
        stacker::maybe_grow(64 * 1024, 2 * 1024 * 1024, || self.expr_inner(e))
    }

    fn expr_inner(&self, e: &Expr) -> Code {
        let span = e.span;
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
                let v = Value::str(s);
                Arc::new(move |_| Ok(v.clone()))
            }
            ExprKind::Local(l) => {
                let r = self.reg(*l);
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
                        builtins::compile(name, arg_codes, args, span)
                    }
                    Callee::Def(d) => {
                        let d = *d;
                        Arc::new(move |ctx| {
                            let mut values = Vec::with_capacity(arg_codes.len());
                            for a in &arg_codes {
                                values.push(a(ctx)?);
                            }
                            let compiled = ctx.compiled;
                            compiled.call(ctx, d, values, span)
                        })
                    }
                    Callee::Local(l) => {
                        let r = self.reg(*l);
                        Arc::new(move |ctx| {
                            let mut values = Vec::with_capacity(arg_codes.len());
                            for a in &arg_codes {
                                values.push(a(ctx)?);
                            }
                            let f = ctx.regs[r].clone();
                            apply(ctx, &f, &values, span)
                        })
                    }
                }
            }
            ExprKind::Lambda { params, body } => {
                let params: Vec<PatCode> = params.iter().map(|p| self.pattern(p)).collect();
                let body = self.expr(body);
                self.lambda(params, body, "anonymous operator".into(), span)
            }
            ExprKind::Let { local, params, value, body, .. } => {
                let r = self.reg(*local);
                let body = Sub::new(self.expr(body));
                match params {
                    Some(ps) => {
                        let ps: Vec<PatCode> = ps.iter().map(|p| self.pattern(p)).collect();
                        let op = self.lambda(ps, self.expr(value), self.local_name(*local), span);
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
                    ctx.picks.push((pick_name.clone(), picked.clone()));
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
                let scrutinee = self.expr(scrutinee);
                let arms: Vec<(Option<Arc<str>>, Option<PatCode>, Code)> = arms
                    .iter()
                    .map(|a| (a.variant.as_ref().map(|v| Arc::from(v.as_str())), a.pat.as_ref().map(|p| self.pattern(p)), self.expr(&a.body)))
                    .collect();
                Arc::new(move |ctx| {
                    let v = scrutinee(ctx)?;
                    let Value::Variant(name, payload) = &v else { return Err(error(span, format!("match needs a variant, found {v}"))) };
                    for (variant, pat, body) in &arms {
                        match variant {
                            Some(n) if n != name => continue,
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
                let name: Arc<str> = Arc::from(name.as_str());
                match payload {
                    None => {
                        let v = Value::Variant(name, Arc::new(Value::unit()));
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
                let mut fields: Vec<(Arc<str>, Code)> = fields.iter().map(|(n, e)| (Arc::from(n.as_str()), self.expr(e))).collect();
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
                let record = self.expr(record);
                let field: Arc<str> = Arc::from(field.as_str());
                Arc::new(move |ctx| {
                    let r = record(ctx)?;
                    r.field(&field).cloned().ok_or_else(|| error(span, format!("the record {r} has no field {field}")))
                })
            }
            ExprKind::Item { tuple, index } => {
                let tuple = self.expr(tuple);
                let index = *index;
                Arc::new(move |ctx| match tuple(ctx)? {
                    Value::Tuple(items) if index >= 1 && index <= items.len() => Ok(items[index - 1].clone()),
                    other => Err(error(span, format!("{other} has no item {index}"))),
                })
            }
            ExprKind::Error => Arc::new(move |_| Err(error(span, "this expression has errors and cannot be evaluated"))),
        }
    }

    fn local_name(&self, local: LocalId) -> String {
        self.locals.get(local as usize).map(|l| l.name.clone()).unwrap_or_default()
    }

    fn lambda(&self, params: Vec<PatCode>, body: Code, name: String, span: Span) -> Code {
        let mut regs = Vec::new();
        params.iter().for_each(|p| p.regs(&mut regs));
        let code = Arc::new(LambdaCode { name: Arc::from(name.as_str()), params, regs, body, span });
        Arc::new(move |_ctx| Ok(Value::Lambda(Arc::new(Lambda::Code(code.clone())))))
    }
}
