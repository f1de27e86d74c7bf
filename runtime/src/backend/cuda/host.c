/* The CUDA kernels' arithmetic built for the host: the same element functions, one loop where the
 * device has one thread per element. Used by the test suite to prove the kernels equal the CPU twin. */
#include "kernels.cuh"

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
