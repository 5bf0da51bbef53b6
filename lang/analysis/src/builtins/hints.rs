//! Where a missing operator may be found: the names that the standard library and Quint's
//! well-known spells define, so that "unknown operator `values`" can say which import
//! brings it in. The standard library's names are read from its embedded sources; the
//! spells' are listed here (Quint's `examples/spells`, which people copy next to their specs).

/// Quint's spells: the module, and the operators it defines at its top level.
const SPELLS: &[(&str, &[&str])] = &[
    (
        "basicSpells",
        &[
            "require", "requires", "max", "min", "abs", "setRemove", "setAdd", "has", "getOrElse", "mapRemove", "mapRemoveAll", "values", "empty",
            "sortList", "transformValues", "listMap", "last", "decreasingRange", "takeWhile", "isPrefixOf", "find", "findFirst", "setByWithDefault",
        ],
    ),
    ("commonSpells", &["setSum", "listSum", "listContains", "mapToSet"]),
    ("rareSpells", &["intCompare", "mapValuesSum", "sortedListInsert", "toList", "toSet"]),
];

/// The operators a stdlib module defines at its top level (`  def f`, `  pure def f`, ...).
fn stdlib_names(source: &str) -> impl Iterator<Item = &str> {
    source.lines().filter_map(|line| {
        let rest = line.strip_prefix("  ")?;
        let rest = rest.strip_prefix("pure ").unwrap_or(rest);
        let rest = rest.strip_prefix("def ").or_else(|| rest.strip_prefix("val "))?;
        let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
        Some(&rest[..end]).filter(|n| !n.is_empty())
    })
}

/// Where an unknown operator `name` is defined, as a help line naming the imports; `None`
/// when no library defines it.
pub fn import_hint(name: &str) -> Option<String> {
    let std: Vec<&str> = spec_stdlib::MODULES.iter().filter(|(_, source)| stdlib_names(source).any(|n| n == name)).map(|(module, _)| *module).collect();
    let spells: Vec<&str> = SPELLS.iter().filter(|(_, names)| names.contains(&name)).map(|(module, _)| *module).collect();
    let std_part = std.first().map(|m| format!("`import {m}.*`"));
    let spell_part = spells.first().map(|m| format!("`import {m}.* from \"./{m}\"` (Quint's {m}, copied next to this file)"));
    match (std_part, spell_part) {
        (Some(s), Some(q)) => Some(format!("`{name}` is defined in the standard library: add {s}; or {q}")),
        (Some(s), None) => Some(format!("`{name}` is defined in the standard library: add {s}")),
        (None, Some(q)) => Some(format!("`{name}` is defined in Quint's spells: add {q}")),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_import_that_defines_an_operator() {
        let values = import_hint("values").unwrap_or_default();
        assert!(values.contains("import std::maps.*") && values.contains("basicSpells"), "{values}");
        let sum = import_hint("setSum").unwrap_or_default();
        assert!(sum.contains("commonSpells") && !sum.contains("std::"), "{sum}");
        assert!(import_hint("isEmpty").unwrap_or_default().contains("std::sets"));
        assert_eq!(import_hint("noSuchOperator"), None);
    }
}
