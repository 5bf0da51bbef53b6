-- Trial of the "Neovim 0.11 and later" setup of editors/README.md: the block between the
-- markers is that section's init.lua, copied verbatim (run.sh checks that it still is).
-- README:begin
vim.filetype.add({ extension = { qnt = "quint" } })
vim.lsp.config("spec", {
  cmd = { "spec", "lsp" },
  filetypes = { "quint" },
  -- One server per project: the repository, or a folder you mark with `.spec-root`.
  -- Do not use `*.qnt` as a marker: a file imported from another folder would then start
  -- a second server that does not know the files importing it.
  root_markers = { ".spec-root", ".git" },
})
vim.lsp.enable("spec")
-- README:end
dofile(os.getenv("TRIAL_DIR") .. "/nvim-driver.lua")
