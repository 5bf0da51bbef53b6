// Starts `spec lsp` for .qnt files. The path to `spec` is the `spec.path` setting.
import { workspace, ExtensionContext, window } from "vscode";
import { LanguageClient, LanguageClientOptions, ServerOptions } from "vscode-languageclient/node";

let client: LanguageClient | undefined;

export function activate(context: ExtensionContext): void {
  const command = workspace.getConfiguration("spec").get<string>("path", "spec");
  const serverOptions: ServerOptions = { command, args: ["lsp"] };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: "file", language: "quint" }],
    // Tell the server when .qnt files change on disk, so that files importing them are checked again.
    synchronize: { fileEvents: workspace.createFileSystemWatcher("**/*.qnt") },
    outputChannel: window.createOutputChannel("spec language server"),
  };
  client = new LanguageClient("spec", "spec language server", serverOptions, clientOptions);
  client.start().catch((err: unknown) => {
    window.showErrorMessage(`Could not start \`${command} lsp\`: ${err}. Set "spec.path" to the spec executable.`);
  });
  context.subscriptions.push({ dispose: () => client?.stop() });
}

export function deactivate(): Thenable<void> | undefined {
  return client?.stop();
}
