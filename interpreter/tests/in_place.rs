//! Parts of locals and state variables read in place (nested map lookups, fields, items,
//! comparisons, `match` on a local): the same values, and the same errors, as evaluating
//! the expressions step by step.

use spec_interpreter::{RandomChooser, Spec, Value};

fn spec(body: &str) -> Spec {
    Spec::from_text("t.qnt", &format!("module t {{ {body} }}"), None).unwrap_or_else(|e| panic!("{}", e.sources.render(&e.diagnostics)))
}

fn eval(spec: &Spec, state: &spec_interpreter::State, name: &str) -> Result<Value, String> {
    let d = spec.lookup(name).unwrap();
    spec.eval_def(state, d, &mut RandomChooser::new(1)).map_err(|e| e.message.clone())
}

const BOARD: &str = "type Square = Occupied(str) | Empty  var board: int -> (int -> Square)  var turn: str  \
    action init = all { board' = 1.to(2).mapBy(r => 1.to(2).mapBy(c => if (r == c) Occupied(\"x\") else Empty)), turn' = \"x\" }  \
    def square(c: (int, int)): Square = board.get(c._1).get(c._2)  \
    def owner(c: (int, int)): str = match square(c) { | Occupied(p) => p | Empty => \"-\" }  \
    def ownerOf(s: Square): str = match s { | Occupied(p) => p | Empty => \"-\" }  \
    def isEmpty(s: Square): bool = match s { | Empty => true | _ => false }  \
    def mine(c: (int, int)): bool = { val s = square(c) match s { | Occupied(p) => p == turn | Empty => false } }  \
    val diag = square((1, 1)) == Occupied(\"x\") and square((1, 2)) == Empty and board.get(2).get(2) != Empty  \
    val owners = Set((1, 1), (1, 2), (2, 1), (2, 2)).map(c => owner(c))  \
    val viaLocal = Set((1, 1), (1, 2)).map(c => ownerOf(square(c)))  \
    val empties = Set((1, 1), (1, 2), (2, 1), (2, 2)).filter(c => isEmpty(square(c))).size()  \
    val mineCount = Set((1, 1), (1, 2), (2, 1), (2, 2)).filter(c => mine(c)).size()  \
    val missingRow = board.get(3).get(1)  \
    val missingColumn = board.get(1).get(5)  \
    val recordPath = { val r = { a: { b: (1, Map(\"k\" -> 7)) } } r.a.b._2.get(\"k\") + r.a.b._1 }  \
    val compareMissing = board.get(9) == board.get(1)";

#[test]
fn nested_lookups_and_comparisons_read_in_place_give_the_same_values() {
    let s = spec(BOARD);
    let (state, _) = s.run_action(&s.state0(), "init", &mut RandomChooser::new(1)).unwrap().unwrap();
    assert_eq!(eval(&s, &state, "diag").unwrap(), Value::Bool(true));
    assert_eq!(eval(&s, &state, "owners").unwrap().to_string(), "Set(\"-\", \"x\")");
    assert_eq!(eval(&s, &state, "viaLocal").unwrap().to_string(), "Set(\"-\", \"x\")");
    assert_eq!(eval(&s, &state, "empties").unwrap(), Value::int(2));
    assert_eq!(eval(&s, &state, "mineCount").unwrap(), Value::int(2));
    assert_eq!(eval(&s, &state, "recordPath").unwrap(), Value::int(8));
}

#[test]
fn lookups_read_in_place_fail_with_the_usual_errors() {
    let s = spec(BOARD);
    let (state, _) = s.run_action(&s.state0(), "init", &mut RandomChooser::new(1)).unwrap().unwrap();
    let row = eval(&s, &state, "missingRow").unwrap_err();
    assert!(row.contains("the key 3 is not in the map"), "{row}");
    let column = eval(&s, &state, "missingColumn").unwrap_err();
    assert!(column.contains("the key 5 is not in the map"), "{column}");
    let compared = eval(&s, &state, "compareMissing").unwrap_err();
    assert!(compared.contains("the key 9 is not in the map"), "{compared}");
    // Before `init`, the variable has no value: the error names it.
    let unset = eval(&s, &s.state0(), "diag").unwrap_err();
    assert!(unset.contains("board"), "{unset}");
}

#[test]
fn counting_a_filter_gives_its_size_and_its_errors() {
    let s = spec(
        "pure val evens = 1.to(10).filter(x => x % 2 == 0).size()  pure val none = Set(1, 2).filter(x => x > 5).size()  \
         pure val sets = Set(Set(1), Set(1, 2), Set()).filter(t => t.size() > 0).size()  \
         pure val broken = Set(1, 0).filter(x => 10 / x > 1).size()",
    );
    let state = s.state0();
    assert_eq!(eval(&s, &state, "evens").unwrap(), Value::int(5));
    assert_eq!(eval(&s, &state, "none").unwrap(), Value::int(0));
    assert_eq!(eval(&s, &state, "sets").unwrap(), Value::int(2));
    let broken = eval(&s, &state, "broken").unwrap_err();
    assert!(broken.contains("zero"), "{broken}");
}
