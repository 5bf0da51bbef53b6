// Tokenizes test/sample.qnt with the TextMate grammar (vscode-textmate, as VS Code does)
// and checks the scopes of a few tokens. Exit code 1 on a mismatch.
const fs = require("fs");
const path = require("path");
const vsctm = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");

const wasm = fs.readFileSync(path.join(require.resolve("vscode-oniguruma"), "../onig.wasm")).buffer;
const onigLib = oniguruma.loadWASM(wasm).then(() => ({
  createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
  createOnigString: (s) => new oniguruma.OnigString(s),
}));

const registry = new vsctm.Registry({
  onigLib,
  loadGrammar: async (scopeName) => {
    if (scopeName !== "source.quint") return null;
    const file = path.join(__dirname, "../syntaxes/quint.tmLanguage.json");
    return vsctm.parseRawGrammar(fs.readFileSync(file, "utf8"), file);
  },
});

const expectations = [
  // [line, token text, scope that must be among the token's scopes]
  [0, "/// A documented module.", "comment.line.documentation.quint"],
  [1, "module", "keyword.other.module.quint"],
  [1, "sample", "entity.name.namespace.quint"],
  [2, "var", "storage.type.quint"],
  [2, "int", "support.type.primitive.quint"],
  [3, "0x1F", "constant.numeric.hex.quint"],
  [3, "10", "constant.numeric.integer.quint"],
  [4, "step", "entity.name.function.quint"],
  [4, "if", "keyword.control.quint"],
  [5, "// a comment", "comment.line.double-slash.quint"],
  [6, "\"text\"", "string.quoted.double.quint"],
  [6, "and", "keyword.operator.word.quint"],
  [7, "Msg", "entity.name.type.quint"],
];

registry.loadGrammar("source.quint").then((grammar) => {
  const lines = fs.readFileSync(path.join(__dirname, "sample.qnt"), "utf8").split("\n");
  let ruleStack = vsctm.INITIAL;
  const tokens = lines.map((line) => {
    const r = grammar.tokenizeLine(line, ruleStack);
    ruleStack = r.ruleStack;
    return r.tokens.map((t) => ({ text: line.substring(t.startIndex, t.endIndex), scopes: t.scopes }));
  });
  let failed = 0;
  for (const [line, text, scope] of expectations) {
    const token = tokens[line].find((t) => t.text.trim() === text);
    if (!token || !token.scopes.includes(scope)) {
      failed++;
      console.error(`line ${line + 1}: "${text}" should have scope ${scope}; got ${token ? token.scopes.join(" ") : "no such token"}`);
    }
  }
  console.log(`grammar: ${expectations.length - failed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
});
