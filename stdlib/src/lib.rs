//! The standard library: modules written in the spec language, embedded in the binary.
//! A spec imports them by module name, without a path: `import std::sets.*`.

/// Every stdlib module: its name and its source text.
pub const MODULES: &[(&str, &str)] = &[
    ("std::option", include_str!("option.qnt")),
    ("std::result", include_str!("result.qnt")),
    ("std::sets", include_str!("sets.qnt")),
    ("std::maps", include_str!("maps.qnt")),
    ("std::lists", include_str!("lists.qnt")),
    ("std::bounded", include_str!("bounded.qnt")),
];

/// The source of a stdlib module, by name (`std::sets`).
pub fn source(module: &str) -> Option<&'static str> {
    MODULES.iter().find(|(name, _)| *name == module).map(|(_, text)| *text)
}

/// The path under which a stdlib module appears in messages.
pub fn path(module: &str) -> String {
    format!("<stdlib>/{}.qnt", module.trim_start_matches("std::"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_module_is_found_by_name() {
        for (name, text) in super::MODULES {
            assert_eq!(super::source(name), Some(*text));
            assert!(text.contains(&format!("module {name}")));
        }
        assert_eq!(super::source("std::nothing"), None);
    }
}
