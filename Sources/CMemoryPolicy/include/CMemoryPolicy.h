#ifndef SITEGEN_CMEMORYPOLICY_H
#define SITEGEN_CMEMORYPOLICY_H

// Training (`sitegen train`, and a build's learning chapter) allocates and frees the same
// arrays of a few megabytes every step. By default
// glibc returns blocks that large to the kernel when they are freed (and trims its heaps),
// so each step maps fresh zeroed pages again, one page fault at a time. This keeps blocks of
// up to 32 MB (glibc's largest setting) in the heap and the heaps untrimmed up to 1 GB, so a
// step reuses the memory of the one before. Elsewhere than glibc it does nothing.
void sitegen_keep_freed_memory(void);

// For big weights: every thread allocates from the one heap, which keeps what it frees (the
// trim threshold above). glibc otherwise gives each thread an arena of its own, made of
// 64 MB heaps that it unmaps as soon as they are empty, whatever the threshold, so a
// block of tens of MB freed on one thread came back as fresh pages on the next: a
// GPT-2-small build took 330-370 K page faults, with one heap 185-190 K. Small models keep
// the arenas: their threads allocate many small blocks, and one heap's lock cost them about
// a tenth of their build. Call it first, before other threads allocate.
void sitegen_share_one_heap(void);

#endif
