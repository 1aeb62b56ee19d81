#ifndef SITEGEN_CMEMORYPOLICY_H
#define SITEGEN_CMEMORYPOLICY_H

// Training (`sitegen train`, and a build's learning chapter) allocates and frees the same
// arrays of a few megabytes every step. By default
// glibc returns blocks that large to the kernel when they are freed (and trims its heaps),
// so each step maps fresh zeroed pages again, one page fault at a time. This keeps blocks of
// up to 32 MB (glibc's largest setting) in the heap and the heaps untrimmed up to 1 GB, so a
// step reuses the memory of the one before. Elsewhere than glibc it does nothing.
void sitegen_keep_freed_memory(void);

#endif
