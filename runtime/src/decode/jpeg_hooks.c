/* Access to libjpeg's method tables, whose layout only its own internal header knows: the
 * decoder's inverse DCT per component and its colour converter, read and replaced by the Rust
 * side's vector versions (decode/jpeg_fast.rs), which give the same bytes. */
#define JPEG_INTERNALS /* what the library's own files define: its internal types and tables */
#include <stddef.h>
#include <stdio.h>
#include "jpeglib.h"
#include "jdct.h"
#include "jpegcomp.h" /* the names of the scaled DCT sizes across libjpeg ABI versions */

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

/* Every component libjpeg upsamples with `h2v2_fancy_upsample` (its choice in `jinit_upsampler`:
 * fancy upsampling, twice the width and height to fill, more than two samples wide) gets `fancy`
 * instead. */
#include "jdsample.h"
void twinproc_jpeg_set_h2v2_fancy(j_decompress_ptr cinfo, upsample1_ptr fancy) {
  my_upsample_ptr upsample = (my_upsample_ptr)cinfo->upsample;
  int ci;
  if (!cinfo->do_fancy_upsampling || cinfo->_min_DCT_scaled_size <= 1 || cinfo->CCIR601_sampling)
    return;
  for (ci = 0; ci < cinfo->num_components; ci++) {
    jpeg_component_info *compptr = cinfo->comp_info + ci;
    int h_in = compptr->h_samp_factor * compptr->_DCT_scaled_size / cinfo->_min_DCT_scaled_size;
    int v_in = compptr->v_samp_factor * compptr->_DCT_scaled_size / cinfo->_min_DCT_scaled_size;
    if (compptr->component_needed && h_in * 2 == cinfo->max_h_samp_factor &&
        v_in * 2 == cinfo->max_v_samp_factor && compptr->downsampled_width > 2)
      upsample->methods[ci] = fancy;
  }
}

/* A component's width after downsampling, in samples. */
JDIMENSION twinproc_jpeg_downsampled_width(jpeg_component_info *compptr) {
  return compptr->downsampled_width;
}
