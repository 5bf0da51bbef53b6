//! Type errors a person can read: types shown with their alias names, long records cut
//! down to the fields that matter, and for two records that do not match, which fields are
//! missing, which are extra and which have another type.

use super::Infer;
use crate::ty::{Aliases, Row, Shown, Ty};

/// At most this many fields are named in one line of a note.
const NAMED_FIELDS: usize = 4;

impl Infer<'_> {
    /// The aliases in scope of the definition being checked, gathered on the first error.
    fn aliases(&self) -> &Aliases {
        self.aliases.get_or_init(|| self.current_def.map(|d| self.program.aliases(d.module)).unwrap_or_default())
    }

    /// One type, for a message.
    pub(super) fn show(&self, ty: &Ty) -> String {
        let ty = self.resolve(ty);
        let names = Shown::names_of(&[&ty]);
        Shown { names: &names, aliases: self.aliases(), elide: true }.ty(&ty, None)
    }

    /// Two types that should be one, each shown against the other.
    pub(super) fn show_pair(&self, expected: &Ty, found: &Ty) -> (String, String) {
        let (e, f) = (self.resolve(expected), self.resolve(found));
        let names = Shown::names_of(&[&e, &f]);
        let shown = Shown { names: &names, aliases: self.aliases(), elide: true };
        (shown.ty(&e, Some(&f)), shown.ty(&f, Some(&e)))
    }

    /// Whether two types could be made equal (nothing is bound either way).
    fn unifiable(&mut self, a: &Ty, b: &Ty) -> bool {
        let mark = self.trail.len();
        let ok = self.unify(a, b).is_ok();
        for v in self.trail.drain(mark..) {
            if let Some(slot) = self.subst.bindings.get_mut(v as usize) {
                *slot = None;
            }
        }
        ok
    }

    /// For the first pair of records (inside `expected` and `found`) that cannot be made
    /// equal: the fields that are missing, extra or of another type, one line each.
    pub(super) fn record_notes(&mut self, expected: &Ty, found: &Ty) -> Vec<String> {
        let (e, f) = (self.resolve(expected), self.resolve(found));
        self.first_record_difference(&e, &f, 0).unwrap_or_default()
    }

    fn first_record_difference(&mut self, e: &Ty, f: &Ty, depth: usize) -> Option<Vec<String>> {
        if depth > 32 {
            return None;
        }
        let pairs: Vec<(Ty, Ty)> = match (e, f) {
            (Ty::Record(a), Ty::Record(b)) => return self.row_difference(a, b, depth),
            (Ty::Set(a), Ty::Set(b)) | (Ty::List(a), Ty::List(b)) => vec![((**a).clone(), (**b).clone())],
            (Ty::Map(k1, v1), Ty::Map(k2, v2)) => vec![((**k1).clone(), (**k2).clone()), ((**v1).clone(), (**v2).clone())],
            (Ty::Tuple(a), Ty::Tuple(b)) | (Ty::Sum(_, a), Ty::Sum(_, b)) => a.iter().cloned().zip(b.iter().cloned()).collect(),
            (Ty::Oper(p1, r1), Ty::Oper(p2, r2)) if p1.len() == p2.len() => {
                p1.iter().cloned().zip(p2.iter().cloned()).chain(std::iter::once(((**r1).clone(), (**r2).clone()))).collect()
            }
            _ => return None,
        };
        pairs.iter().find_map(|(a, b)| if self.unifiable(a, b) { None } else { self.first_record_difference(a, b, depth + 1) })
    }

    fn row_difference(&mut self, expected: &Row, found: &Row, depth: usize) -> Option<Vec<String>> {
        let missing: Vec<&String> = if found.rest.is_none() { expected.fields.keys().filter(|k| !found.fields.contains_key(*k)).collect() } else { Vec::new() };
        let extra: Vec<&String> = if expected.rest.is_none() { found.fields.keys().filter(|k| !expected.fields.contains_key(*k)).collect() } else { Vec::new() };
        let mut conflicting = Vec::new();
        for (name, t) in expected.fields.iter() {
            if let Some(u) = found.fields.get(name) {
                if !self.unifiable(t, u) {
                    conflicting.push((name.clone(), t.clone(), u.clone()));
                }
            }
        }
        if missing.is_empty() && extra.is_empty() {
            // The shapes agree: the difference is inside one field; look there if it is a record.
            if let [(_, t, u)] = conflicting.as_slice() {
                if let Some(inner) = self.first_record_difference(t, u, depth + 1) {
                    return Some(inner);
                }
            }
        }
        let mut notes = Vec::new();
        if !missing.is_empty() {
            notes.push(format!("the record found lacks the field{} {}", plural(missing.len()), name_list(&missing)));
        }
        if !extra.is_empty() {
            notes.push(format!("the record found has the unexpected field{} {}", plural(extra.len()), name_list(&extra)));
        }
        for (name, t, u) in conflicting.iter().take(NAMED_FIELDS) {
            let (t, u) = self.show_pair(t, u);
            notes.push(format!("field `{name}` should be {t}, but it is {u}"));
        }
        if conflicting.len() > NAMED_FIELDS {
            notes.push(format!("and {} more fields of another type", conflicting.len() - NAMED_FIELDS));
        }
        (!notes.is_empty()).then_some(notes)
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn name_list(names: &[&String]) -> String {
    let mut shown: Vec<String> = names.iter().take(NAMED_FIELDS).map(|n| format!("`{n}`")).collect();
    if names.len() > NAMED_FIELDS {
        shown.push(format!("and {} more", names.len() - NAMED_FIELDS));
    }
    shown.join(", ")
}
