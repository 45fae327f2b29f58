-- copydesk for Neovim (0.7 and later): starts `copydesk lsp` for Markdown and
-- text buffers, and `:CopydeskCheck` runs `copydesk check` into the quickfix list.
--
--   require("copydesk").setup({
--     cmd = { "copydesk", "lsp" },
--     filetypes = { "markdown", "text" },
--     root_markers = { "copydesk.toml", ".git" },
--     settings = { corpus = { paths = { "sources" } }, severity = { ["number-mismatch"] = "error" }, debounceMs = 150 },
--   })

local M = {}

local defaults = {
  cmd = { "copydesk", "lsp" },
  -- Defaults to cmd[1] with "check": { "copydesk", "check" }.
  check_cmd = nil,
  filetypes = { "markdown", "text" },
  root_markers = { "copydesk.toml", ".git" },
  -- The "copydesk" section: sent as init_options and as the answer to workspace/configuration.
  settings = {},
  on_attach = nil,
  capabilities = nil,
  -- Open the quickfix window after :CopydeskCheck when there are findings.
  open_quickfix = true,
  -- Key mapped (buffer-locally, in normal mode) to the hover in attached buffers, unless
  -- the buffer already maps it; Neovim 0.10 maps K itself, 0.7-0.9 do not. false: none.
  hover_key = "K",
}

M.config = vim.deepcopy(defaults)

local has_08 = vim.fn.has("nvim-0.8") == 1
local has_011 = vim.fn.has("nvim-0.11") == 1

-- vim.lsp.get_clients (0.10+) / get_active_clients (0.7-0.9).
local get_clients = vim.lsp.get_clients or vim.lsp.get_active_clients

-- Client methods take self from 0.11 on (client:notify), not before (client.notify).
local function client_call(client, method, ...)
  if has_011 then
    return client[method](client, ...)
  end
  return client[method](...)
end
local uv = vim.loop
local sep = package.config:sub(1, 1)

local function notify(msg, level)
  vim.schedule(function()
    vim.notify("copydesk: " .. msg, level or vim.log.levels.INFO)
  end)
end

local function is_dir(p)
  local st = p and uv.fs_stat(p)
  return st ~= nil and st.type == "directory"
end

local function exists(p)
  return p ~= nil and uv.fs_stat(p) ~= nil
end

local function dirname(p)
  return vim.fn.fnamemodify(p, ":h")
end

local function join(a, b)
  if a:sub(-1) == sep then
    return a .. b
  end
  return a .. sep .. b
end

--- The nearest folder at or above `start` holding one of the markers (in order of preference).
function M.find_root(start)
  start = vim.fn.fnamemodify(start, ":p")
  if not is_dir(start) then
    start = dirname(start)
  end
  start = start:gsub(sep .. "$", "")
  for _, marker in ipairs(M.config.root_markers) do
    local dir = start
    while dir and dir ~= "" do
      if exists(join(dir, marker)) then
        return dir
      end
      local parent = dirname(dir)
      if parent == dir then
        break
      end
      dir = parent
    end
  end
  return nil
end

local function buf_root(bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == "" then
    return vim.fn.getcwd()
  end
  return M.find_root(name) or dirname(vim.fn.fnamemodify(name, ":p"))
end

local function client_config(root)
  local settings = M.config.settings or {}
  if next(settings) == nil then
    -- An empty Lua table would be sent as a JSON array.
    settings = vim.empty_dict()
  end
  return {
    name = "copydesk",
    cmd = M.config.cmd,
    cmd_cwd = root,
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = vim.fn.fnamemodify(root, ":t") } },
    init_options = settings,
    settings = { copydesk = settings },
    capabilities = M.config.capabilities or vim.lsp.protocol.make_client_capabilities(),
    on_attach = M.config.on_attach,
    on_init = function(client)
      -- Push the settings too, for servers that read didChangeConfiguration.
      client_call(client, "notify", "workspace/didChangeConfiguration", { settings = { copydesk = settings } })
    end,
  }
end

-- Neovim 0.7: one client per root, started with start_client and attached by hand.
local clients_07 = {}

--- Starts (or reuses) the copydesk client for a buffer's root and attaches it.
function M.attach(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  if vim.bo[bufnr].buftype ~= "" then
    return nil
  end
  if vim.fn.executable(M.config.cmd[1]) ~= 1 then
    if not M._warned_missing then
      M._warned_missing = true
      notify(
        ("%q is not executable: install copydesk (cargo install --path crates/copydesk) "
          .. "or pass its path: require('copydesk').setup({ cmd = { '/path/to/copydesk', 'lsp' } })"):format(M.config.cmd[1]),
        vim.log.levels.ERROR
      )
    end
    return nil
  end
  local root = buf_root(bufnr)
  local id
  if has_08 then
    id = vim.lsp.start(client_config(root), {
      bufnr = bufnr,
      reuse_client = function(client, conf)
        return client.name == conf.name and client.config.root_dir == conf.root_dir
      end,
    })
  else
    id = clients_07[root]
    if id == nil or vim.lsp.get_client_by_id(id) == nil or vim.lsp.client_is_stopped(id) then
      id = vim.lsp.start_client(client_config(root))
      clients_07[root] = id
    end
    if id then
      vim.lsp.buf_attach_client(bufnr, id)
    end
  end
  if id then
    M.map_hover(bufnr)
  end
  return id
end

--- Maps the hover key in `bufnr` unless the buffer maps it already.
function M.map_hover(bufnr)
  local key = M.config.hover_key
  if not key then
    return
  end
  local existing = vim.fn.maparg(key, "n", false, true)
  if type(existing) == "table" and existing.buffer == 1 then
    return
  end
  vim.keymap.set("n", key, vim.lsp.buf.hover, { buffer = bufnr, desc = "copydesk: the sources of the claim here" })
end

--- The copydesk clients running now.
function M.clients()
  local out = {}
  for _, c in ipairs(get_clients()) do
    if c.name == "copydesk" then
      table.insert(out, c)
    end
  end
  return out
end

function M.restart()
  local bufs = {}
  for _, c in ipairs(M.clients()) do
    for b in pairs(c.attached_buffers or {}) do
      bufs[b] = true
    end
    vim.lsp.stop_client(c.id)
  end
  clients_07 = {}
  local timer = uv.new_timer()
  timer:start(500, 0, vim.schedule_wrap(function()
    timer:close()
    for b in pairs(bufs) do
      if vim.api.nvim_buf_is_valid(b) then
        M.attach(b)
      end
    end
  end))
end

-- ------------------------------------------------------------------ :CopydeskCheck

-- Corpus folders of copydesk.toml ([corpus] paths) and settings.corpus.paths, not to be checked as drafts.
local function corpus_dirs(root)
  local dirs = {}
  local function add(p)
    if not p:match("^/") and not p:match("^%a:[/\\]") then
      p = join(root, p)
    end
    local d = vim.fn.fnamemodify(p, ":p"):gsub(sep .. "$", "")
    table.insert(dirs, d)
  end
  local s = M.config.settings or {}
  for _, p in ipairs((s.corpus or {}).paths or {}) do
    add(p)
  end
  local toml = join(root, "copydesk.toml")
  if vim.fn.filereadable(toml) == 1 then
    local in_corpus = false
    for _, line in ipairs(vim.fn.readfile(toml)) do
      local section = line:match("^%s*%[([^%]]+)%]")
      if section then
        in_corpus = section == "corpus"
      elseif in_corpus then
        local list = line:match("^%s*paths%s*=%s*%[(.*)%]")
        if list then
          for p in list:gmatch("[\"']([^\"']+)[\"']") do
            add(p)
          end
        end
      end
    end
  end
  return dirs
end

local function workspace_drafts(root)
  local skip = corpus_dirs(root)
  local files = {}
  for _, pat in ipairs({ "**/*.md", "**/*.markdown", "**/*.txt" }) do
    for _, f in ipairs(vim.fn.globpath(root, pat, false, true)) do
      local ok = not f:find("/node_modules/", 1, true) and not f:find("/.git/", 1, true) and not f:find("/target/", 1, true)
      for _, d in ipairs(skip) do
        if f == d or f:sub(1, #d + 1) == d .. sep then
          ok = false
        end
      end
      if ok then
        table.insert(files, f)
      end
    end
  end
  table.sort(files)
  return files
end

-- copydesk columns count Unicode characters; quickfix columns count bytes.
local function byte_col(lines, lnum, col)
  local line = lines and lines[lnum]
  if not line then
    return col
  end
  local ok, idx = pcall(vim.str_byteindex, line, col - 1)
  if ok and idx then
    return idx + 1
  end
  return col
end

local qf_type = { error = "E", warning = "W", information = "I", info = "I", note = "I", hint = "N" }

--- Turns `copydesk check --format json` output into quickfix items. `originals` maps a
--- temporary copy of an unsaved buffer to { path = the file, lines = its text }.
function M.quickfix_items(report, cwd, originals)
  local items = {}
  local cache = {}
  for _, f in ipairs(report.findings or {}) do
    local path = f.path
    if not path:match("^/") and cwd then
      path = join(cwd, path)
    end
    local original = originals and originals[path]
    if original then
      path = original.path
      cache[path] = original.lines
    end
    if cache[path] == nil then
      cache[path] = vim.fn.filereadable(path) == 1 and vim.fn.readfile(path) or false
    end
    local lines = cache[path] or nil
    local ev = (f.evidence or {})[1]
    local text = ("[%s] %s"):format(f.code, f.message)
    if ev then
      text = text .. (" (source: %s:%d)"):format(ev.path, ev.line)
    end
    table.insert(items, {
      filename = path,
      lnum = f.line,
      col = byte_col(lines, f.line, f.column),
      end_lnum = f.end_line,
      end_col = byte_col(lines, f.end_line, f.end_column),
      text = text,
      type = qf_type[f.severity] or "W",
    })
  end
  return items
end

--- Runs `copydesk check --format json` on files (default: the workspace's drafts) into the quickfix list.
--- `done(items)` is called when it has finished (for tests).
function M.check(paths, done)
  local bufnr = vim.api.nvim_get_current_buf()
  local root = buf_root(bufnr)
  if paths == nil or #paths == 0 then
    paths = workspace_drafts(root)
    if #paths == 0 then
      notify("no .md or .txt drafts under " .. root, vim.log.levels.WARN)
      return
    end
  else
    local abs = {}
    for _, p in ipairs(paths) do
      table.insert(abs, vim.fn.fnamemodify(vim.fn.expand(p), ":p"))
    end
    paths = abs
    root = M.find_root(paths[1]) or root
  end
  -- A file open with unsaved changes is checked as edited: its text goes to a temporary
  -- copy (same name, in a folder of its own) whose findings are put back on the file.
  local unsaved, originals = 0, {}
  for i, p in ipairs(paths) do
    local b = vim.fn.bufnr(p)
    if b > 0 and vim.api.nvim_buf_is_loaded(b) and vim.bo[b].modified then
      local dir = vim.fn.tempname()
      vim.fn.mkdir(dir, "p")
      local copy = join(dir, vim.fn.fnamemodify(p, ":t"))
      vim.fn.writefile(vim.api.nvim_buf_get_lines(b, 0, -1, false), copy)
      originals[copy] = { path = p, lines = vim.api.nvim_buf_get_lines(b, 0, -1, false) }
      paths[i] = copy
      unsaved = unsaved + 1
    end
  end
  local base = M.config.check_cmd or { M.config.cmd[1], "check" }
  local cmd = vim.list_extend(vim.deepcopy(base), { "--format", "json" })
  local s = M.config.settings or {}
  for _, p in ipairs((s.corpus or {}).paths or {}) do
    vim.list_extend(cmd, { "--corpus", p })
  end
  vim.list_extend(cmd, paths)

  local stdout, stderr = {}, {}
  local job = vim.fn.jobstart(cmd, {
    cwd = root,
    stdout_buffered = true,
    stderr_buffered = true,
    on_stdout = function(_, data)
      stdout = data
    end,
    on_stderr = function(_, data)
      stderr = data
    end,
    on_exit = function(_, code)
      vim.schedule(function()
        local title = "copydesk check"
        if code ~= 0 and code ~= 1 then
          local err = vim.trim(table.concat(stderr, "\n"))
          vim.fn.setqflist({}, " ", { title = title, items = {} })
          notify(("check failed (exit %d): %s"):format(code, err), vim.log.levels.ERROR)
          if done then
            done(nil, err)
          end
          return
        end
        local ok, report = pcall(vim.fn.json_decode, table.concat(stdout, "\n"))
        if not ok or type(report) ~= "table" then
          notify("could not read the output of copydesk check: " .. tostring(report), vim.log.levels.ERROR)
          if done then
            done(nil, "bad json")
          end
          return
        end
        local items = M.quickfix_items(report, root, originals)
        for copy in pairs(originals) do
          vim.fn.delete(vim.fn.fnamemodify(copy, ":h"), "rf")
        end
        vim.fn.setqflist({}, " ", { title = title, items = items })
        local edited = unsaved > 0 and (" (%d with unsaved changes, checked as edited)"):format(unsaved) or ""
        local contradictions = 0
        for _, it in ipairs(items) do
          if it.type == "E" or it.type == "W" then
            contradictions = contradictions + 1
          end
        end
        if #items == 0 then
          notify(("no findings in %d file(s)%s"):format(#paths, edited))
        else
          notify(
            ("%d contradiction(s), %d note(s) in %d file(s)%s"):format(contradictions, #items - contradictions, #paths, edited),
            contradictions > 0 and vim.log.levels.WARN or vim.log.levels.INFO
          )
          if M.config.open_quickfix then
            vim.cmd("copen")
          end
        end
        if done then
          done(items)
        end
      end)
    end,
  })
  if job <= 0 then
    notify(("cannot run %s (jobstart returned %d)"):format(cmd[1], job), vim.log.levels.ERROR)
    if done then
      done(nil, "jobstart failed")
    end
  end
  return job
end

-- ------------------------------------------------------------------ setup

function M.setup(opts)
  M.config = vim.tbl_deep_extend("force", vim.deepcopy(defaults), opts or {})
  M._warned_missing = false
  local group = vim.api.nvim_create_augroup("copydesk", { clear = true })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = M.config.filetypes,
    callback = function(ev)
      M.attach(ev.buf)
    end,
  })
  -- Buffers already open when setup() runs.
  for _, b in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(b) and vim.tbl_contains(M.config.filetypes, vim.bo[b].filetype) then
      M.attach(b)
    end
  end
  M.create_commands()
end

function M.create_commands()
  vim.api.nvim_create_user_command("CopydeskCheck", function(a)
    M.check(a.fargs)
  end, { nargs = "*", complete = "file", desc = "copydesk check (the workspace, or the given files) into the quickfix list" })
  vim.api.nvim_create_user_command("CopydeskRestart", function()
    M.restart()
  end, { desc = "Restart the copydesk language server" })
end

return M
