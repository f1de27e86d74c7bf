/* Access to libjpeg's method tables, whose layout only its own internal header knows: the
 * decoder's inverse DCT per component and its colour converter, read and replaced by the Rust
 * side's vector versions (decode/jpeg_fast.rs), which give the same bytes. */
#define JPEG_INTERNALS /* what the library's own files define: its internal types and tables */
#include <stddef.h>
#include <stdio.h>
#include "jpeglib.h"
#include "jdct.h"

typedef void (*twinproc_idct_fn)(j_decompress_ptr, jpeg_component_info *, JCOEFPTR, JSAMPARRAY,
                                 JDIMENSION);
typedef void (*twinproc_color_fn)(j_decompress_ptr, JSAMPIMAGE, JDIMENSION, JSAMPARRAY, int);

/* Component ci's inverse DCT. */
twinproc_idct_fn twinproc_jpeg_idct(j_decompress_ptr cinfo, int ci) {
  return cinfo->idct->inverse_DCT[ci];
}

void twinproc_jpeg_set_idct(j_decompress_ptr cinfo, int ci, twinproc_idct_fn idct) {
  cinfo->idct->inverse_DCT[ci] = idct;
}

/* The accurate integer inverse DCT of 8x8 blocks, libjpeg's own. */
twinproc_idct_fn twinproc_jpeg_idct_islow(void) { return jpeg_idct_islow; }

void twinproc_jpeg_set_color_convert(j_decompress_ptr cinfo, twinproc_color_fn convert) {
  cinfo->cconvert->color_convert = convert;
}

/* The range-limit table as the inverse DCT indexes it. */
JSAMPLE *twinproc_jpeg_idct_range_limit(j_decompress_ptr cinfo) {
  return cinfo->sample_range_limit + CENTERJSAMPLE;
}

/* A component's dequantization multipliers for the inverse DCT, and their width in bytes (`int`
 * in a build without libjpeg's own SIMD, `short` with it). */
const void *twinproc_jpeg_dct_table(jpeg_component_info *compptr) { return compptr->dct_table; }

int twinproc_jpeg_multiplier_bytes(void) { return (int)sizeof(ISLOW_MULT_TYPE); }
