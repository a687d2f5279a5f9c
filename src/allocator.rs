//! Settings of mimalloc, the allocator of the binary and the benches (`#[global_allocator]`
//! there; a library user's allocator is theirs, and [`tune`] then touches nothing it uses;
//! [`tune_for_serving`] also switches huge pages off for the whole process).

/// mimalloc's `mi_option_purge_delay` (mimalloc.h: the option after `eager_commit_delay`, 14;
/// libmimalloc-sys names neither). The test below fails if a mimalloc upgrade renumbers it.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// mimalloc's `mi_option_allow_thp` (the 44th option of mimalloc.h's `mi_option_e`; the same
/// test checks it).
const MI_OPTION_ALLOW_THP: libmimalloc_sys::mi_option_t = 43;

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

/// For a server: no transparent huge pages for the heap. mimalloc asks for them, and the kernel
/// then zeroes a fresh 2 MiB region whole at its first touch; with searches on many threads,
/// each with pages of its own, that zeroing was 12–20 % of the server's CPU. Without them the
/// HTTP benchmark on dev-eval answers about 10 % more requests per second at a third lower p99.
/// (An ingest, whose big hash tables gain from huge pages, costs 10 % more CPU without them:
/// only `serve` calls this.) `MIMALLOC_ALLOW_THP` in the environment still decides when it is set.
pub fn tune_for_serving() {
    if std::env::var_os("MIMALLOC_ALLOW_THP").is_some() {
        return;
    }
    // SAFETY: sets an integer option, which mimalloc reads each time it maps memory.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_ALLOW_THP, 0) };
    // mimalloc reserved its first arena, asking for huge pages, before this runs; the
    // process-wide switch (what mimalloc itself does when the variable is set at start) covers
    // that arena too.
    #[cfg(target_os = "linux")]
    // SAFETY: prctl with integer arguments; it changes no memory of ours.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::{MI_OPTION_ALLOW_THP, MI_OPTION_PURGE_DELAY};

    /// Options 15 and 43 are the purge delay and THP: mimalloc reads `MIMALLOC_PURGE_DELAY` and
    /// `MIMALLOC_ALLOW_THP` into them at start (checked in a child process, whose environment is
    /// set before mimalloc starts).
    #[test]
    fn options_15_and_43_are_the_purge_delay_and_thp() {
        if std::env::var_os("NGO_MI_OPTIONS_CHILD").is_some() {
            // SAFETY: reads integer options.
            let (delay, thp) = unsafe {
                (
                    libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY),
                    libmimalloc_sys::mi_option_get(MI_OPTION_ALLOW_THP),
                )
            };
            assert_eq!((delay, thp), (123, 7));
            return;
        }
        let exe = std::env::current_exe().expect("the test binary");
        let status = std::process::Command::new(exe)
            .args([
                "--exact",
                "allocator::tests::options_15_and_43_are_the_purge_delay_and_thp",
            ])
            .env("NGO_MI_OPTIONS_CHILD", "1")
            .env("MIMALLOC_PURGE_DELAY", "123")
            .env("MIMALLOC_ALLOW_THP", "7")
            .status()
            .expect("running the test binary");
        assert!(
            status.success(),
            "mimalloc's options 15 and 43 are not the purge delay and THP"
        );
    }
}
