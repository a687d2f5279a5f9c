//! Settings of mimalloc, the allocator of the binary and the benches (`#[global_allocator]`
//! there; a library user's allocator is theirs, and these settings then touch nothing it uses).

/// mimalloc's `mi_option_purge_delay` (mimalloc.h: the option after `eager_commit_delay`, 14;
/// libmimalloc-sys names neither).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Memory an ingest frees (a window of analysed documents, tens of MB) is wanted again moments
/// later for the next window. mimalloc returns freed pages to the system after 10 ms, and getting
/// them back costs a page fault and zeroing per 4 KB page: 6 % of ingest CPU, in the kernel. A
/// second's delay keeps them (about 35 MB more peak memory on dev-eval; ingest −6 %).
/// `MIMALLOC_PURGE_DELAY` in the environment still decides when it is set.
pub fn tune() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: sets an integer option, which mimalloc reads atomically when it purges.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 1000) };
    }
}
