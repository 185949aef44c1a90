//! `large_pages::return_free_memory` gives the system back the pages that
//! freed small blocks leave in the allocator's heaps (its own process, so
//! no other test's memory moves the count).

/// Resident bytes of this process.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn resident() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("/proc/self/statm");
    let pages: usize = statm.split_whitespace().nth(1).and_then(|p| p.parse().ok()).expect("resident pages");
    pages * 4096
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[test]
fn freed_small_blocks_go_back_to_the_system() {
    // 64 MB in blocks of 16 kB (small: glibc keeps them in its heaps), each
    // written so that its pages are resident.
    let blocks: Vec<Vec<u8>> = (0..4096).map(|k| vec![(k % 251) as u8 + 1; 16 << 10]).collect();
    // A live block made after them, so that freeing them leaves no free
    // memory at the top of the heap, which glibc would give back by itself.
    let later = vec![7u8; 16 << 10];
    drop(blocks);
    let before = resident();
    sbrt::large_pages::return_free_memory();
    let after = resident();
    assert!(before > after + (32 << 20), "resident {before} bytes before, {after} after");
    assert!(later.iter().all(|&b| b == 7));
}
