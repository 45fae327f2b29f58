//! The `copydesk` command: `check`, `claims`, `index`, `ingest`, `store` and `lsp` over the engine.

mod claims;
mod cli;
mod render;
mod store;

use std::process::ExitCode;

/// Extraction and checking allocate many small strings across threads; mimalloc
/// serves them faster than the system allocator (see ARCHITECTURE.md, "Performance").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    no_huge_pages();
    cli::run()
}

/// Turns transparent huge pages off for this process. mimalloc asks for them on its arenas
/// (`MADV_HUGEPAGE`), so each first touch of a fresh 2 MiB region is a fault that zeroes all
/// of it: a quarter of the CPU of a first `copydesk index` at 100,000 stories went to that
/// (`perf record`: `clear_page_erms` under `do_huge_pmd_anonymous_page`), on a heap that
/// grows and is purged as batches of stories come and go. With 4 KiB pages a fault zeroes
/// only what is touched. For `check` and `lsp` too: huge pages left on for them started the
/// server no faster at 100,000 stories and took more memory (261 against 209 MiB at peak;
/// README, "Indexing and start"). Failure leaves the kernel's default.
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: prctl with PR_SET_THP_DISABLE takes four integer arguments and touches no memory of ours.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}
