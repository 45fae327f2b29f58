-- copydesk: the language server starts once require("copydesk").setup({...}) is called.
-- :CopydeskCheck works without setup() too (with `copydesk` from PATH).
if vim.g.loaded_copydesk then
  return
end
vim.g.loaded_copydesk = true

if vim.fn.has("nvim-0.7") ~= 1 then
  vim.api.nvim_err_writeln("copydesk: needs Neovim 0.7 or later")
  return
end

require("copydesk").create_commands()
