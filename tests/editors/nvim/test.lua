-- Run by tests/editors/nvim-plugin.sh inside `nvim --headless --clean -u init.lua`.
-- Environment: COPYDESK_BIN, COPYDESK_LSP_CMD (the server command's first word), WS (workspace),
-- DRAFT (path of the draft in it), EXPECT_TEXT (the figure the finding must cover).
local bin = os.getenv("COPYDESK_BIN")
local lsp_bin = os.getenv("COPYDESK_LSP_CMD") or bin
local ws = vim.fn.resolve(os.getenv("WS"))
local draft = os.getenv("DRAFT")
local expect = os.getenv("EXPECT_TEXT") or "84,300"
local expect_line = tonumber(os.getenv("EXPECT_LINE") or "3")
local timeout = tonumber(os.getenv("STEP_TIMEOUT_MS") or "30000")

local passed, failed = 0, 0
local function result(ok, name, detail)
  if ok then
    passed = passed + 1
    io.stdout:write("ok   - " .. name .. "\n")
  else
    failed = failed + 1
    io.stdout:write("FAIL - " .. name .. (detail and (": " .. detail) or "") .. "\n")
  end
end

local v = vim.version()
io.stdout:write(("# Neovim %d.%d.%d\n"):format(v.major, v.minor, v.patch))

local ok_run, err_run = pcall(function()
local copydesk = require("copydesk")
copydesk.setup({
  cmd = { lsp_bin, "lsp" },
  check_cmd = { bin, "check" },
  settings = { severity = { ["number-mismatch"] = "warning" }, debounceMs = 100 },
  open_quickfix = false,
})

vim.cmd("edit " .. vim.fn.fnameescape(draft))
local buf = vim.api.nvim_get_current_buf()
result(vim.bo[buf].filetype == "markdown", "draft has filetype markdown", vim.bo[buf].filetype)

-- Where the expected figure is in the draft (0-based line, character).
local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
local fig_line, fig_char
do
  local l = lines[expect_line] or ""
  local s = l:find(expect, 1, true)
  if s then
    fig_line, fig_char = expect_line - 1, vim.str_utfindex(l, s - 1)
  end
end
result(fig_line ~= nil, ("draft line %d contains %s"):format(expect_line, expect))

-- 1. The client attaches with the workspace (copydesk.toml) as root and initializes.
local client
local t0 = vim.loop.now()
local attached = vim.wait(timeout, function()
  local any = false
  for _, c in ipairs((vim.lsp.get_clients or vim.lsp.get_active_clients)()) do
    any = any or c.name == "copydesk"
    if c.name == "copydesk" and (c.initialized or (c.server_capabilities and next(c.server_capabilities))) then
      local bufs = c.attached_buffers or {}
      if bufs[buf] then
        client = c
        return true
      end
    end
  end
  -- Every copydesk client has exited: stop waiting.
  return not any and vim.loop.now() - t0 > 2000
end, 100)
attached = attached and client ~= nil
result(attached, "copydesk client attached to the draft and initialized", attached and nil or "no running copydesk client (does `" .. lsp_bin .. " lsp` work?)")
if client then
  result(vim.fn.resolve(client.config.root_dir) == ws, "client root is the folder holding copydesk.toml", tostring(client.config.root_dir))
end

-- 2. The server publishes a diagnostic on the figure.
local function figure_diag()
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.lnum == fig_line and d.col <= fig_char and fig_char < (d.end_col or d.col + 1) then
      return d
    end
  end
end
if client then
  local got = vim.wait(timeout, function() return figure_diag() ~= nil end, 100)
  local all = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(all, ("%d:%d %s"):format(d.lnum + 1, d.col + 1, d.message))
  end
  result(got, "server diagnostic covers " .. expect, "diagnostics: " .. vim.inspect(all))
else
  result(false, "server diagnostic covers " .. expect, "no client")
end

-- 3. :CopydeskCheck (the workspace) fills the quickfix list, without the corpus files.
local items
copydesk.check(nil, function(it, err)
  items = it or { err = err }
end)
vim.wait(timeout, function() return items ~= nil end, 100)
local qf = vim.fn.getqflist()
local hit, outside = nil, nil
for _, q in ipairs(qf) do
  local name = vim.fn.resolve(vim.api.nvim_buf_get_name(q.bufnr))
  if not vim.startswith(name, ws .. "/drafts/") then
    outside = name
  end
  if name == vim.fn.resolve(draft) and q.lnum == fig_line + 1 then
    local l = lines[q.lnum]
    local s = l:find(expect, 1, true)
    if s and q.col <= s and s < (q.end_col > 0 and q.end_col or q.col + 1) then
      hit = q
    end
  end
end
local summary = {}
for _, q in ipairs(qf) do
  table.insert(summary, ("%d:%d %s"):format(q.lnum, q.col, q.text))
end
result(#qf > 0, ":CopydeskCheck filled the quickfix list", items and items.err or "empty")
result(hit ~= nil, ":CopydeskCheck has a finding on " .. expect, vim.inspect(summary))
result(outside == nil, ":CopydeskCheck checked drafts only (not the corpus)", outside)
result(vim.fn.getqflist({ title = 1 }).title == "copydesk check", "quickfix title")

-- 4. K shows the hover in the attached buffer (Neovim 0.7-0.9 do not map it).
local k = vim.fn.maparg("K", "n", false, true)
result(type(k) == "table" and k.buffer == 1, "K is mapped in the draft's buffer", vim.inspect(k))

-- 5. :CopydeskCheck on a buffer with unsaved changes checks the text as edited.
do
  local l = vim.api.nvim_buf_get_lines(buf, fig_line, fig_line + 1, false)[1]
  local s = l:find(expect, 1, true)
  local fixed = l:sub(1, s - 1) .. (os.getenv("RIGHT_TEXT") or "94,300") .. l:sub(s + #expect)
  vim.api.nvim_buf_set_lines(buf, fig_line, fig_line + 1, false, { fixed })
  items = nil
  copydesk.check({ draft }, function(it, err)
    items = it or { err = err }
  end)
  vim.wait(timeout, function() return items ~= nil end, 100)
  local on_line, elsewhere = false, nil
  for _, q in ipairs(vim.fn.getqflist()) do
    local name = vim.fn.resolve(vim.api.nvim_buf_get_name(q.bufnr))
    if name ~= vim.fn.resolve(draft) then
      elsewhere = name
    end
    if q.lnum == fig_line + 1 and q.text:find("number%-mismatch") then
      on_line = true
    end
  end
  result(not on_line, ":CopydeskCheck checks the unsaved text (the corrected figure is not flagged)")
  result(elsewhere == nil, ":CopydeskCheck puts findings of the unsaved text on the draft, not its copy", elsewhere)
  vim.cmd("silent! edit!")
end

-- 6. :CopydeskCheck % (the current file).
items = nil
vim.cmd("CopydeskCheck %")
vim.wait(timeout, function() return #vim.fn.getqflist() > 0 end, 100)
result(#vim.fn.getqflist() > 0, ":CopydeskCheck % fills the quickfix list")

end)
if not ok_run then
  result(false, "test script error", tostring(err_run))
end
io.stdout:write(("%d passed, %d failed\n"):format(passed, failed))
io.stdout:flush()
for _, c in ipairs((vim.lsp.get_clients or vim.lsp.get_active_clients)()) do
  vim.lsp.stop_client(c.id, true)
end
vim.cmd(failed == 0 and "qall!" or "cquit 1")
