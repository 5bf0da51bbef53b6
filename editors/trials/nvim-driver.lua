-- Drives a headless Neovim through the trial of editors/README.md's setup (see run.sh).
--
-- The init file under test sets the editor up exactly as the README says and then loads
-- this file. On VimEnter it opens TRIAL_WS/main.qnt (which imports lib.qnt and holds a
-- deliberate type error), waits for the `spec` client, and writes to TRIAL_OUT, as plain
-- text, what the editor received: diagnostics, hover, definition across files, references
-- and rename started in lib.qnt, and main.qnt's diagnostics after an unsaved edit of
-- lib.qnt. It uses only the API that Neovim 0.7 and 0.12 share. Every wait is bounded
-- and waits for an event (a client, a diagnostic), not for a fixed time.

local ws = assert(os.getenv("TRIAL_WS"), "TRIAL_WS is not set")
local out_path = assert(os.getenv("TRIAL_OUT"), "TRIAL_OUT is not set")
local WAIT_MS = 20000

local lines_out = {}
local function say(s)
  table.insert(lines_out, s)
end

local function finish()
  local f = assert(io.open(out_path, "w"))
  f:write(table.concat(lines_out, "\n"), "\n")
  f:close()
  vim.cmd("qa!")
end

local function rel(path_or_uri)
  local path = path_or_uri
  if path:match("^file://") then
    path = vim.uri_to_fname(path)
  end
  local real_ws = vim.loop.fs_realpath(ws) or ws
  local real = vim.loop.fs_realpath(path) or path
  if real == real_ws then
    return "(the workspace)"
  end
  if real:sub(1, #real_ws + 1) == real_ws .. "/" then
    return real:sub(#real_ws + 2)
  end
  return real
end

local function spec_clients(buf)
  local all = vim.lsp.get_clients and vim.lsp.get_clients({ bufnr = buf })
    or vim.lsp.buf_get_clients(buf)
  local found = {}
  for _, c in pairs(all) do
    if c.name == "spec" then
      table.insert(found, c)
    end
  end
  return found
end

local function all_spec_client_ids()
  local all = vim.lsp.get_clients and vim.lsp.get_clients() or vim.lsp.get_active_clients()
  local ids = {}
  for _, c in pairs(all) do
    if c.name == "spec" then
      table.insert(ids, c.id)
    end
  end
  return ids
end

-- Position (0-based line, character) of the `nth` occurrence of `needle` in `buf`, plus
-- `offset` characters.
local function position_of(buf, needle, nth, offset)
  local seen = 0
  for i, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    local from = 1
    while true do
      local s = line:find(needle, from, true)
      if not s then
        break
      end
      seen = seen + 1
      if seen == (nth or 1) then
        return { line = i - 1, character = s - 1 + (offset or 0) }
      end
      from = s + 1
    end
  end
  error("not found in buffer: " .. needle)
end

local function params_at(buf, needle, nth)
  return {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    position = position_of(buf, needle, nth, 1),
  }
end

-- The one result of `method` from the spec client, or nil and a reason.
local function request(buf, method, params)
  local replies, err = vim.lsp.buf_request_sync(buf, method, params, WAIT_MS)
  if not replies then
    return nil, "no reply: " .. tostring(err)
  end
  for _, reply in pairs(replies) do
    if reply.err then
      return nil, "error: " .. vim.inspect(reply.err)
    end
    return reply.result
  end
  return nil, "no reply"
end

-- How many times each buffer's diagnostics were set (by a publication from the server).
local diagnostic_updates = {}
vim.api.nvim_create_autocmd("DiagnosticChanged", {
  callback = function(args)
    diagnostic_updates[args.buf] = (diagnostic_updates[args.buf] or 0) + 1
  end,
})

local severity_names = { "error", "warning", "info", "hint" }

local function diagnostics_text(buf)
  local items = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    local first_line = (d.message or ""):match("^[^\n]*")
    table.insert(
      items,
      string.format(
        "%s:%d:%d %s %s",
        rel(vim.api.nvim_buf_get_name(buf)),
        d.lnum + 1,
        d.col + 1,
        severity_names[d.severity] or tostring(d.severity),
        first_line
      )
    )
  end
  table.sort(items)
  return items
end

local function location_text(loc)
  local uri = loc.uri or loc.targetUri
  local range = loc.range or loc.targetSelectionRange
  return string.format("%s:%d:%d", rel(uri), range.start.line + 1, range.start.character + 1)
end

local function locations_text(result)
  local items = {}
  if result == nil then
    return items
  end
  if result.uri or result.targetUri then
    result = { result }
  end
  for _, loc in ipairs(result) do
    table.insert(items, location_text(loc))
  end
  table.sort(items)
  return items
end

local function hover_text(result)
  if not result or not result.contents then
    return "(nothing)"
  end
  local lines = vim.lsp.util.convert_input_to_markdown_lines(result.contents)
  local kept = {}
  for _, l in ipairs(lines) do
    if l ~= "" and not l:match("^```") then
      table.insert(kept, l)
    end
  end
  return table.concat(kept, " | ")
end

local function edited_files(edit)
  local counts = {}
  for uri, edits in pairs(edit.changes or {}) do
    counts[rel(uri)] = (counts[rel(uri)] or 0) + #edits
  end
  for _, change in ipairs(edit.documentChanges or {}) do
    if change.textDocument then
      local name = rel(change.textDocument.uri)
      counts[name] = (counts[name] or 0) + #change.edits
    end
  end
  local items = {}
  for name, n in pairs(counts) do
    table.insert(items, string.format("%s (%d edits)", name, n))
  end
  table.sort(items)
  return items
end

local function open(name)
  vim.cmd("edit " .. vim.fn.fnameescape(ws .. "/" .. name))
  return vim.api.nvim_get_current_buf()
end

local function wait_for(what, condition)
  if not vim.wait(WAIT_MS, condition, 20) then
    say("TIMEOUT waiting for " .. what)
    finish()
    return false
  end
  return true
end

local function run()
  vim.o.hidden = true
  local main = open("main.qnt")
  say("filetype of main.qnt: " .. vim.bo[main].filetype)
  if not wait_for("the spec client to attach to main.qnt", function()
    return #spec_clients(main) > 0
  end) then
    return
  end
  if not wait_for("diagnostics of main.qnt", function()
    return #vim.diagnostic.get(main) > 0
  end) then
    return
  end
  say("== diagnostics of main.qnt")
  for _, l in ipairs(diagnostics_text(main)) do
    say(l)
  end
  local first_diagnostics = table.concat(diagnostics_text(main), "\n")

  say("== hover on `base` in main.qnt")
  local hover, why = request(main, "textDocument/hover", params_at(main, "base"))
  say(hover_text(hover) .. (why and (" " .. why) or ""))

  say("== hover on the unknown name `stepSize` in main.qnt")
  local hover2, why5 = request(main, "textDocument/hover", params_at(main, "stepSize"))
  say(hover_text(hover2) .. (why5 and (" " .. why5) or ""))

  say("== hover on the record field `balance` in `acct.balance` in main.qnt")
  local hover3, why6 = request(main, "textDocument/hover", params_at(main, "balance", 2))
  say(hover_text(hover3) .. (why6 and (" " .. why6) or ""))

  say("== definition of `double` from main.qnt")
  local def, why2 = request(main, "textDocument/definition", params_at(main, "double"))
  say(table.concat(locations_text(def), ", ") .. (why2 and (" " .. why2) or ""))

  local lib = open("lib.qnt")
  if not wait_for("the spec client to attach to lib.qnt", function()
    return #spec_clients(lib) > 0
  end) then
    return
  end
  say("spec servers running: " .. #all_spec_client_ids())
  say("root of the spec server: " .. rel(spec_clients(lib)[1].config.root_dir))

  say("== references of `double` from lib.qnt")
  local refs_params = params_at(lib, "double")
  refs_params.context = { includeDeclaration = true }
  local refs, why3 = request(lib, "textDocument/references", refs_params)
  for _, l in ipairs(locations_text(refs)) do
    say(l)
  end
  if why3 then
    say(why3)
  end

  say("== rename `double` to `twice` from lib.qnt")
  local updates_before_rename = diagnostic_updates[main] or 0
  local rename_params = params_at(lib, "double")
  rename_params.newName = "twice"
  local edit, why4 = request(lib, "textDocument/rename", rename_params)
  if edit then
    for _, l in ipairs(edited_files(edit)) do
      say(l)
    end
    vim.lsp.util.apply_workspace_edit(edit, spec_clients(lib)[1].offset_encoding)
    local main_lines = vim.api.nvim_buf_get_lines(main, 0, -1, false)
    say("main.qnt line 6 after rename: " .. vim.trim(main_lines[6] or ""))
    say("main.qnt line 7 after rename: " .. vim.trim(main_lines[7] or ""))
    local other = vim.fn.bufnr(ws .. "/other.qnt")
    local other_lines = other ~= -1 and vim.api.nvim_buf_get_lines(other, 0, -1, false) or {}
    say("other.qnt (not open before) line 4 after rename: " .. vim.trim(other_lines[4] or "(no buffer)"))
  else
    say("no rename: " .. tostring(why4))
  end

  -- The rename changed the three buffers; their didChange notifications reach the server one
  -- after the other, so main.qnt may first be checked against the old lib.qnt (an unknown
  -- `twice` or `double`), and a publication started before the rename may still arrive.
  -- Once both changes are in, main.qnt's type error has moved (`twice` is shorter) and no
  -- diagnostic names either function.
  say("== diagnostics of main.qnt after the rename")
  if not wait_for("main.qnt's diagnostics of the renamed text", function()
    local now = diagnostics_text(main)
    local joined = table.concat(now, "\n")
    return (diagnostic_updates[main] or 0) > updates_before_rename
      and joined ~= first_diagnostics
      and not joined:find("`twice`", 1, true)
      and not joined:find("`double`", 1, true)
  end) then
    return
  end
  for _, l in ipairs(diagnostics_text(main)) do
    say(l)
  end

  say("== main.qnt after the unsaved edit `base` -> `start` in lib.qnt")
  local before = table.concat(diagnostics_text(main), "\n")
  local at = position_of(lib, "base", 1, 0)
  vim.api.nvim_buf_set_text(lib, at.line, at.character, at.line, at.character + 4, { "start" })
  if not wait_for("main.qnt's diagnostics to be published again", function()
    return table.concat(diagnostics_text(main), "\n") ~= before
  end) then
    return
  end
  for _, l in ipairs(diagnostics_text(main)) do
    say(l)
  end
  finish()
end

vim.api.nvim_create_autocmd("VimEnter", {
  once = true,
  callback = function()
    -- Scheduled, so that opening files fires their autocommands (filetype, LSP) as when
    -- a person opens them: autocommands do not nest by default.
    vim.schedule(function()
      local ok, err = pcall(run)
      if not ok then
        say("DRIVER ERROR: " .. tostring(err))
        finish()
      end
    end)
  end,
})
