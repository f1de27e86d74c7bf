/* The CUDA kernels built for the host: the same loops each device thread runs, the threads emulated.
 * Used by the test suite to prove the kernels equal the CPU twin. */
#include "kernels.cuh"
#include <stddef.h>

/* The device's threads, emulated: each pass's elements in `TP_HOST_THREADS` interleaved strides, as
 * a grid of that many threads runs them, so the tests cover the stride arithmetic too. */
#define TP_HOST_THREADS 3

void tp_host_stage(const unsigned char *input, unsigned char *stage, const tp_stage_pass *passes, int n_passes,
                   const int *starts, const int *lens, const int *weights) {
    for (int b = 0; b < n_passes; b++) {
        for (int t = 0; t < TP_HOST_THREADS; t++) {
            tp_stage_run(input, stage, &passes[b], starts, lens, weights, t, TP_HOST_THREADS);
        }
    }
}

/* The element functions on their own, for the tests that hold each to its CPU twin. */
unsigned char tp_host_clip8(int acc, int precision) { return tp_clip8(acc, precision); }
unsigned char tp_host_composite_on_white(unsigned int value, unsigned int alpha) {
    return tp_composite_on_white(value, alpha);
}
tp_i64 tp_host_divmod(tp_i64 i, tp_i64 d, tp_i64 *rest) { return tp_divmod(i, d, rest); }

/* Every output: float32 through the level tables into `dst_f32`, or the levels into `dst_u8` (the
 * other pointer is null), as the device's `tp_output_f32` / `tp_output_u8`. */
void tp_host_output(const unsigned char *input, const unsigned char *stage, float *dst_f32, unsigned char *dst_u8,
                    const tp_output_pass *outputs, int n_outputs, const int *starts, const int *lens,
                    const int *weights, const float *luts) {
    for (int b = 0; b < n_outputs; b++) {
        for (int t = 0; t < TP_HOST_THREADS; t++) {
            tp_output_run(input, stage, dst_f32, dst_u8, &outputs[b], starts, lens, weights, luts, t,
                          TP_HOST_THREADS);
        }
    }
}

/* The size and field offsets of each descriptor, for the test that holds the Rust mirrors
 * (`abi.rs`) to this compiler's layout; returns how many values it wrote (at most `len`). */
int tp_abi_layout(tp_i64 *out, int len) {
#define TP_PUT(v) do { if (n < len) out[n] = (tp_i64)(v); n++; } while (0)
    int n = 0;
    const tp_i64 layout[] = {
        sizeof(tp_pass), offsetof(tp_pass, kind), offsetof(tp_pass, convert), offsetof(tp_pass, in_channels),
        offsetof(tp_pass, in_w), offsetof(tp_pass, in_h), offsetof(tp_pass, out_w), offsetof(tp_pass, out_h),
        offsetof(tp_pass, channels), offsetof(tp_pass, taps), offsetof(tp_pass, aux), offsetof(tp_pass, weights),
        offsetof(tp_pass, ksize), offsetof(tp_pass, precision), offsetof(tp_pass, in_x0), offsetof(tp_pass, in_y0),
        offsetof(tp_pass, out_x0), offsetof(tp_pass, out_y0), offsetof(tp_pass, premultiply),
        offsetof(tp_pass, unpremultiply),
        sizeof(tp_stage_pass), offsetof(tp_stage_pass, src), offsetof(tp_stage_pass, dst),
        offsetof(tp_stage_pass, source), offsetof(tp_stage_pass, pass),
        sizeof(tp_output_pass), offsetof(tp_output_pass, src), offsetof(tp_output_pass, dst),
        offsetof(tp_output_pass, source), offsetof(tp_output_pass, pass), offsetof(tp_output_pass, top),
        offsetof(tp_output_pass, left), offsetof(tp_output_pass, win_h), offsetof(tp_output_pass, win_w),
        offsetof(tp_output_pass, lut), offsetof(tp_output_pass, channels_last), offsetof(tp_output_pass, canvas_h),
        offsetof(tp_output_pass, canvas_w),
    };
    for (size_t i = 0; i < sizeof(layout) / sizeof(layout[0]); i++) {
        TP_PUT(layout[i]);
    }
    return n;
#undef TP_PUT
}
