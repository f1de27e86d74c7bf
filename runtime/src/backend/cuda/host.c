/* The CUDA kernels' arithmetic built for the host: the same element functions, one loop where the
 * device has one thread per element. Used by the test suite to prove the kernels equal the CPU twin. */
#include "kernels.cuh"
#include <stddef.h>

void tp_host_stage(const unsigned char *input, unsigned char *stage, const tp_stage_pass *passes, int n_passes,
                   const int *starts, const int *lens, const int *weights) {
    for (int b = 0; b < n_passes; b++) {
        const tp_stage_pass *s = &passes[b];
        tp_i64 n = tp_stage_len(s);
        for (tp_i64 i = 0; i < n; i++) {
            stage[s->dst + i] = tp_stage_element(input, s, starts, lens, weights, i);
        }
    }
}

/* The element functions on their own, for the tests that hold each to its CPU twin. */
unsigned char tp_host_clip8(int acc, int precision) { return tp_clip8(acc, precision); }
unsigned char tp_host_composite_on_white(unsigned int value, unsigned int alpha) {
    return tp_composite_on_white(value, alpha);
}

/* Every output: float32 through the level tables into `dst_f32`, or the levels into `dst_u8` (the
 * other pointer is null), as the device's `tp_output_f32` / `tp_output_u8`. */
void tp_host_output(const unsigned char *input, const unsigned char *stage, float *dst_f32, unsigned char *dst_u8,
                    const tp_output_pass *outputs, int n_outputs, const int *starts, const int *lens,
                    const int *weights, const float *luts) {
    for (int b = 0; b < n_outputs; b++) {
        const tp_output_pass *o = &outputs[b];
        const unsigned char *src = tp_source(o->source, input, stage);
        tp_i64 n = tp_output_len(o);
        for (tp_i64 i = 0; i < n; i++) {
            int c;
            unsigned char level = tp_output_level(src, o, starts, lens, weights, i, &c);
            if (dst_f32) {
                dst_f32[tp_output_index(o, i)] = luts[o->lut + c * 256 + level];
            } else {
                dst_u8[tp_output_index(o, i)] = level;
            }
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
        offsetof(tp_pass, out_x0), offsetof(tp_pass, out_y0),
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
