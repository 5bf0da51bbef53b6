-- Trial of the "Neovim 0.7 to 0.10" setup of editors/README.md: the block between the
-- markers is that section's init.lua, copied verbatim (run.sh checks that it still is).
-- README:begin
vim.g.do_filetype_lua = 1 -- Neovim 0.7 only: lets vim.filetype.add work
vim.filetype.add({ extension = { qnt = "quint" } })

-- One server per project: the nearest folder upward holding `.spec-root`, else `.git`.
local function spec_root(dir)
  for _, marker in ipairs({ ".spec-root", ".git" }) do
    local found = vim.fn.findfile(marker, dir .. ";")
    if found == "" then
      found = vim.fn.finddir(marker, dir .. ";")
    end
    if found ~= "" then
      return vim.fn.fnamemodify((vim.fn.fnamemodify(found, ":p"):gsub("/$", "")), ":h")
    end
  end
  return dir
end

local spec_client_by_root = {}
vim.api.nvim_create_autocmd("FileType", {
  pattern = "quint",
  callback = function(args)
    local root = spec_root(vim.fn.fnamemodify(vim.api.nvim_buf_get_name(args.buf), ":p:h"))
    local id = spec_client_by_root[root]
    if not (id and vim.lsp.get_client_by_id(id)) then
      id = vim.lsp.start_client({
        name = "spec",
        cmd = { "spec", "lsp" },
        root_dir = root,
        workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
      })
      spec_client_by_root[root] = id
    end
    vim.lsp.buf_attach_client(args.buf, id)
  end,
})
-- README:end
dofile(os.getenv("TRIAL_DIR") .. "/nvim-driver.lua")
