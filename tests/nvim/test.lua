-- Driven by tests/nvim/run.sh: attaches `copydesk lsp` to the draft and walks
-- through diagnostics, hover and the quick fix. Writes "ok" or "fail: ..." to
-- $CD_RESULT and exits non-zero on failure.

local function env(k)
  local v = os.getenv(k)
  if v == nil or v == '' then
    error('missing environment variable ' .. k)
  end
  return v
end

local result_path = env('CD_RESULT')

local function finish(ok, msg)
  local f = io.open(result_path, 'w')
  if f then
    f:write(ok and ('ok ' .. (msg or '') .. '\n') or ('fail: ' .. tostring(msg) .. '\n'))
    f:close()
  end
  if ok then
    vim.cmd('qall!')
  else
    vim.cmd('cquit! 1')
  end
end

-- 0-based line and byte column of the first occurrence of `needle` in the buffer.
local function find(buf, needle)
  for i, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    local s = line:find(needle, 1, true)
    if s then
      return i - 1, s - 1, line
    end
  end
  error('not in the buffer: ' .. needle)
end

local function utf16_col(line, byte_col)
  local _, u16 = vim.str_utfindex(line, byte_col)
  return u16
end

local function diag_at(buf, lnum, col)
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.lnum == lnum and d.col == col then
      return d
    end
  end
  return nil
end

local function hover_text(res)
  local parts = {}
  for _, r in pairs(res or {}) do
    local c = r.result and r.result.contents
    if type(c) == 'table' then
      table.insert(parts, c.value or vim.inspect(c))
    elseif type(c) == 'string' then
      table.insert(parts, c)
    end
  end
  return table.concat(parts, '\n')
end

local function run()
  local bin, ws, draft = env('CD_BIN'), env('CD_WS'), env('CD_DRAFT')
  local wrong, right = env('CD_WRONG'), env('CD_RIGHT')
  local hover_at, hover_expect = env('CD_HOVER_AT'), env('CD_HOVER_EXPECT')

  vim.cmd('edit ' .. vim.fn.fnameescape(draft))
  local buf = vim.api.nvim_get_current_buf()
  vim.bo[buf].readonly = false
  local config = { name = 'copydesk', cmd = { bin, 'lsp' }, root_dir = ws }
  local client_id
  if vim.lsp.start then
    client_id = vim.lsp.start(config)
  else -- Neovim 0.7
    client_id = vim.lsp.start_client(config)
    vim.lsp.buf_attach_client(buf, client_id)
  end
  assert(client_id, 'the language server did not start')

  -- 1. the wrong figure is underlined
  local lnum, col = find(buf, wrong)
  local got = vim.wait(90000, function() return diag_at(buf, lnum, col) ~= nil end, 50)
  assert(got, 'no diagnostic on ' .. wrong .. '; diagnostics: ' .. vim.inspect(vim.diagnostic.get(buf)))
  local d = diag_at(buf, lnum, col)
  assert(d.source == 'copydesk', 'source: ' .. vim.inspect(d))
  assert(d.end_col == col + #wrong, 'range: ' .. vim.inspect(d))

  -- 2. hover cites the expected source
  local hl, hc, hline = find(buf, hover_at)
  local uri = vim.uri_from_bufnr(buf)
  local res = vim.lsp.buf_request_sync(buf, 'textDocument/hover',
    { textDocument = { uri = uri }, position = { line = hl, character = utf16_col(hline, hc) } }, 20000)
  local text = hover_text(res)
  assert(text:find(hover_expect, 1, true), 'hover on ' .. hover_at .. ' does not cite ' .. hover_expect .. ': ' .. text)

  -- 3. the quick fix writes the source's figure
  -- The LSP form of the diagnostic (Neovim 0.7 keeps only the extra fields in user_data.lsp).
  local extra = (d.user_data and d.user_data.lsp) or {}
  assert(extra.data, 'the diagnostic carries no data for the fix: ' .. vim.inspect(d))
  local eline = vim.api.nvim_buf_get_lines(buf, d.end_lnum, d.end_lnum + 1, false)[1] or ''
  local lsp_diag = vim.tbl_extend('force', extra, {
    range = {
      start = { line = d.lnum, character = utf16_col(vim.api.nvim_buf_get_lines(buf, d.lnum, d.lnum + 1, false)[1], d.col) },
      ['end'] = { line = d.end_lnum, character = utf16_col(eline, d.end_col) },
    },
    message = d.message,
    source = d.source,
    code = extra.code or d.code,
    severity = d.severity,
  })
  res = vim.lsp.buf_request_sync(buf, 'textDocument/codeAction',
    { textDocument = { uri = uri }, range = lsp_diag.range, context = { diagnostics = { lsp_diag } } }, 20000)
  local fix
  for _, r in pairs(res or {}) do
    for _, a in ipairs(r.result or {}) do
      if a.title and a.title:find('^Replace with') then
        fix = a
      end
    end
  end
  assert(fix and fix.edit, 'no replace fix: ' .. vim.inspect(res))
  vim.lsp.util.apply_workspace_edit(fix.edit, 'utf-16')
  local line = vim.api.nvim_buf_get_lines(buf, lnum, lnum + 1, false)[1]
  assert(line:find(right, 1, true), 'after the fix the line is: ' .. line)
  assert(not line:find(wrong, 1, true), 'the wrong figure is still there: ' .. line)

  -- 4. at the next publish the diagnostic is gone
  local gone = vim.wait(30000, function()
    local x = diag_at(buf, lnum, col)
    return x == nil or x.code ~= 'number-mismatch'
  end, 50)
  assert(gone, 'diagnostic still there after the fix: ' .. vim.inspect(vim.diagnostic.get(buf)))

  vim.lsp.stop_client(client_id)
  vim.wait(3000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 50)
  return 'diagnostic, hover (' .. hover_expect .. '), quick fix (' .. right .. '), diagnostic cleared'
end

local ok, msg = pcall(run)
finish(ok, msg)
