//! Settings of mimalloc, the allocator of the binary and the benches (`#[global_allocator]`
//! there; a library user's allocator is theirs, and these settings then touch nothing it uses).

/// mimalloc's `mi_option_purge_delay` (mimalloc.h: the option after `eager_commit_delay`, 14;
/// libmimalloc-sys names neither). The test below fails if a mimalloc upgrade renumbers it.
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

#[cfg(test)]
mod tests {
    use super::MI_OPTION_PURGE_DELAY;

    /// Option 15 is the purge delay: mimalloc reads `MIMALLOC_PURGE_DELAY` into it at start
    /// (checked in a child process, whose environment is set before mimalloc starts).
    #[test]
    fn option_15_is_the_purge_delay() {
        if std::env::var_os("NGO_PURGE_DELAY_CHILD").is_some() {
            // SAFETY: reads an integer option.
            let v = unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
            assert_eq!(v, 123);
            return;
        }
        let exe = std::env::current_exe().expect("the test binary");
        let status = std::process::Command::new(exe)
            .args(["--exact", "allocator::tests::option_15_is_the_purge_delay"])
            .env("NGO_PURGE_DELAY_CHILD", "1")
            .env("MIMALLOC_PURGE_DELAY", "123")
            .status()
            .expect("running the test binary");
        assert!(
            status.success(),
            "mimalloc's option 15 is not the purge delay"
        );
    }
}
