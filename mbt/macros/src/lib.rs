//! The macros of `spec-mbt`, shaped like quint-connect's so that a driver written for it
//! ports with its imports changed: `switch!` dispatches a step on its action name and binds
//! the nondeterministic picks by name (`x` required, `x?` optional, `x: T` typed), and
//! `#[quint_run(spec = "...", ...)]` (also spelled `#[mbt_run]`) turns a function returning a
//! driver into a `#[test]` that runs traces of the spec in-process (random, coverage-guided or
//! transition-covering: `strategy = "..."`), and `#[quint_test(spec = "...", test = "...")]`
//! replays a spec's `run` test instead. The expansions name
//! items by absolute paths under `::spec_mbt`, so users depend on `spec-mbt` only.

use proc_macro::TokenStream;
use quote::quote;
use syn::parse::{Parse, ParseBuffer, ParseStream};
use syn::punctuated::Punctuated;
use syn::token::Paren;
use syn::{braced, parenthesized, parse_macro_input, Expr, Ident, ItemFn, Lit, Token, Type};

struct Switch {
    step: Expr,
    cases: Vec<Case>,
}

struct Case {
    /// `None` for the catch-all `_`.
    action: Option<Ident>,
    picks: Vec<Pick>,
    handler: Option<Expr>,
}

struct Pick {
    name: Ident,
    ty: Option<Type>,
    required: bool,
}

impl Parse for Switch {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        // The step is usually a name; a path or a reference expression is accepted too.
        let step = Expr::parse_without_eager_brace(input)?;
        let body;
        braced!(body in input);
        let mut cases = Vec::new();
        while !body.is_empty() {
            let case: Case = body.parse()?;
            let is_block = matches!(case.handler, Some(Expr::Block(_)));
            cases.push(case);
            if !body.is_empty() {
                if is_block {
                    let _ = body.parse::<Token![,]>();
                } else {
                    body.parse::<Token![,]>()?;
                }
            }
        }
        if cases.iter().filter(|c| c.action.is_none()).count() > 1 {
            return Err(input.error("switch! has more than one `_` case"));
        }
        Ok(Switch { step, cases })
    }
}

fn parse_handler(input: &ParseBuffer<'_>) -> syn::Result<Option<Expr>> {
    if input.peek(Token![=>]) {
        input.parse::<Token![=>]>()?;
        return Ok(Some(input.parse()?));
    }
    Ok(None)
}

impl Parse for Case {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.peek(Token![_]) {
            input.parse::<Token![_]>()?;
            let handler = parse_handler(input)?;
            if handler.is_none() {
                return Err(input.error("the `_` case of switch! needs a handler: `_ => ...`"));
            }
            return Ok(Case { action: None, picks: Vec::new(), handler });
        }
        let action: Ident = input.call(Ident::parse_any_ident)?;
        let mut picks = Vec::new();
        if input.peek(Paren) {
            let inner;
            parenthesized!(inner in input);
            picks.extend(Punctuated::<Pick, Token![,]>::parse_terminated(&inner)?);
        }
        let handler = parse_handler(input)?;
        Ok(Case { action: Some(action), picks, handler })
    }
}

trait ParseAnyIdent {
    fn parse_any_ident(input: ParseStream) -> syn::Result<Ident>;
}

impl ParseAnyIdent for Ident {
    /// Action names may be Rust keywords (`init` is not, but `move` or `type` could be).
    fn parse_any_ident(input: ParseStream) -> syn::Result<Ident> {
        use syn::ext::IdentExt;
        Ident::parse_any(input)
    }
}

impl Parse for Pick {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let name: Ident = input.parse()?;
        let mut ty = None;
        if input.peek(Token![:]) {
            input.parse::<Token![:]>()?;
            ty = Some(input.parse()?);
        }
        let mut required = true;
        if input.peek(Token![?]) {
            input.parse::<Token![?]>()?;
            required = false;
        }
        Ok(Pick { name, ty, required })
    }
}

impl Pick {
    fn expand(&self, action: &str) -> proc_macro2::TokenStream {
        let name = &self.name;
        let name_str = name.to_string();
        let ty = match &self.ty {
            Some(t) => quote!(#t),
            None => quote!(_),
        };
        if self.required {
            quote! {
                let #name: #ty = match step.nondet_picks.get(#name_str) {
                    ::core::option::Option::Some(pick) => pick.decode()?,
                    ::core::option::Option::None => {
                        return ::core::result::Result::Err(::spec_mbt::Error::MissingPick {
                            action: ::std::string::String::from(#action),
                            name: ::std::string::String::from(#name_str),
                        })
                    }
                };
            }
        } else {
            quote! {
                let #name: ::core::option::Option<#ty> = match step.nondet_picks.get(#name_str) {
                    ::core::option::Option::Some(pick) => ::core::option::Option::Some(pick.decode()?),
                    ::core::option::Option::None => ::core::option::Option::None,
                };
            }
        }
    }
}

impl Case {
    fn expand(&self) -> proc_macro2::TokenStream {
        let handler = &self.handler;
        match &self.action {
            Some(action) => {
                let action_str = action.to_string();
                let action_str = action_str.strip_prefix("r#").unwrap_or(&action_str).to_string();
                let picks = self.picks.iter().map(|p| p.expand(&action_str));
                let call = match handler {
                    Some(h) => quote!(#h),
                    None => {
                        let args = self.picks.iter().map(|p| &p.name);
                        quote!(self.#action(#(#args),*))
                    }
                };
                quote! {
                    #action_str => {
                        #(#picks)*
                        #call;
                        ::core::result::Result::Ok(())
                    }
                }
            }
            None => quote! {
                _ => {
                    #handler;
                    ::core::result::Result::Ok(())
                }
            },
        }
    }
}

/// Dispatches a step on its action name; see the crate documentation of `spec-mbt`.
#[proc_macro]
pub fn switch(input: TokenStream) -> TokenStream {
    let Switch { step, cases } = parse_macro_input!(input as Switch);
    let arms = cases.iter().map(Case::expand);
    let fallback = if cases.iter().any(|c| c.action.is_none()) {
        quote!()
    } else {
        quote! {
            action => ::core::result::Result::Err(::spec_mbt::Error::UnknownAction { action: ::std::string::String::from(action) }),
        }
    };
    quote! {
        {
            let step: &::spec_mbt::Step = #step;
            // On the statement, not the block: attributes on expressions are unstable.
            #[allow(unreachable_code, unused_variables, clippy::unit_arg)]
            let result: ::spec_mbt::Result = match step.action_taken.as_str() {
                #(#arms),*
                #fallback
            };
            result
        }
    }
    .into()
}

/// `key = value` settings of `#[quint_run(...)]`.
struct Settings(Vec<(Ident, Lit)>);

impl Parse for Settings {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut out = Vec::new();
        while !input.is_empty() {
            let key: Ident = input.parse()?;
            input.parse::<Token![=]>()?;
            let value: Lit = input.parse()?;
            out.push((key, value));
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        Ok(Settings(out))
    }
}

/// Which attribute is expanded: `quint_run` generates traces, `quint_test` replays a
/// spec's `run` test.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Attribute {
    Run,
    Test,
}

fn run_attribute(attr: TokenStream, item: TokenStream, attribute: Attribute) -> TokenStream {
    let Settings(settings) = parse_macro_input!(attr as Settings);
    let function = parse_macro_input!(item as ItemFn);
    let mut calls = Vec::new();
    let mut has_spec = false;
    let mut has_test = false;
    for (key, value) in &settings {
        let k = key.to_string();
        let call = match (k.as_str(), value) {
            ("spec", Lit::Str(s)) => {
                has_spec = true;
                quote!(.spec(#s))
            }
            ("test", Lit::Str(s)) if attribute == Attribute::Test => {
                has_test = true;
                quote!(.test(#s))
            }
            ("strategy", Lit::Str(s)) if attribute == Attribute::Run => {
                if s.value().parse::<Strategy>().is_err() {
                    return syn::Error::new(s.span(), format!("unknown strategy `{}` (expected random, coverage or transitions)", s.value())).to_compile_error().into();
                }
                quote!(.strategy_name(#s))
            }
            ("max_states", Lit::Int(n)) if attribute == Attribute::Run => quote!(.max_states(#n)),
            ("main" | "init" | "step", Lit::Str(s)) => quote!(.#key(#s)),
            ("max_samples" | "max_steps", Lit::Int(n)) => quote!(.#key(#n)),
            ("seed", Lit::Int(n)) => quote!(.seed(#n)),
            ("seed", Lit::Str(s)) => quote!(.seed_text(#s)),
            ("shrink", Lit::Bool(b)) => quote!(.shrink(#b)),
            _ => {
                let expected = match attribute {
                    Attribute::Run => "spec, main, init, step, strategy: strings; max_samples, max_steps, max_states: integers; seed; shrink: bool",
                    Attribute::Test => "spec, test, main, init, step: strings; max_samples: integer; seed; shrink: bool",
                };
                return syn::Error::new(key.span(), format!("unknown or mistyped setting `{k}` (expected {expected})")).to_compile_error().into();
            }
        };
        calls.push(call);
    }
    if !has_spec {
        return syn::Error::new(proc_macro2::Span::call_site(), "`spec = \"path/to/spec.qnt\"` is required").to_compile_error().into();
    }
    if attribute == Attribute::Test && !has_test {
        return syn::Error::new(proc_macro2::Span::call_site(), "`test = \"nameOfTheRun\"` is required").to_compile_error().into();
    }
    let name = &function.sig.ident;
    let name_str = name.to_string();
    let attrs = &function.attrs;
    let body = &function.block;
    quote! {
        #[test]
        #(#attrs)*
        fn #name() {
            let config = ::spec_mbt::RunConfig::new(#name_str) #(#calls)*;
            ::spec_mbt::run_test(&config, || #body);
        }
    }
    .into()
}

/// Turns a function returning a driver into a test that runs traces of a spec (random, or
/// by `strategy = "coverage"` or `"transitions"`).
#[proc_macro_attribute]
pub fn quint_run(attr: TokenStream, item: TokenStream) -> TokenStream {
    run_attribute(attr, item, Attribute::Run)
}

/// The same as `quint_run`.
#[proc_macro_attribute]
pub fn mbt_run(attr: TokenStream, item: TokenStream) -> TokenStream {
    run_attribute(attr, item, Attribute::Run)
}

/// Turns a function returning a driver into a test that replays a spec's `run` test
/// (`test = "nameOfTheRun"`) on it, as quint-connect's `quint_test` does.
#[proc_macro_attribute]
pub fn quint_test(attr: TokenStream, item: TokenStream) -> TokenStream {
    run_attribute(attr, item, Attribute::Test)
}

/// The strategies `strategy = "..."` accepts (the names `spec_mbt::Strategy` parses).
enum Strategy {
    Random,
    Coverage,
    Transitions,
}

impl std::str::FromStr for Strategy {
    type Err = ();
    fn from_str(s: &str) -> Result<Strategy, ()> {
        match s {
            "random" => Ok(Strategy::Random),
            "coverage" | "coverage_guided" | "coverage-guided" => Ok(Strategy::Coverage),
            "transitions" => Ok(Strategy::Transitions),
            _ => Err(()),
        }
    }
}
