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

void tp_host_output_f32(const unsigned char *input, const unsigned char *stage, float *dst,
                        const tp_output_pass *outputs, int n_outputs, const int *starts, const int *lens,
                        const int *weights, const float *luts) {
    for (int b = 0; b < n_outputs; b++) {
        const tp_output_pass *o = &outputs[b];
        const unsigned char *src = tp_source(o->source, input, stage);
        tp_i64 n = tp_output_len(o);
        for (tp_i64 i = 0; i < n; i++) {
            int c;
            unsigned char level = tp_output_level(src, o, starts, lens, weights, i, &c);
            dst[o->dst + i] = luts[o->lut + c * 256 + level];
        }
    }
}

void tp_host_output_u8(const unsigned char *input, const unsigned char *stage, unsigned char *dst,
                       const tp_output_pass *outputs, int n_outputs, const int *starts, const int *lens,
                       const int *weights) {
    for (int b = 0; b < n_outputs; b++) {
        const tp_output_pass *o = &outputs[b];
        const unsigned char *src = tp_source(o->source, input, stage);
        tp_i64 n = tp_output_len(o);
        for (tp_i64 i = 0; i < n; i++) {
            int c;
            dst[o->dst + i] = tp_output_level(src, o, starts, lens, weights, i, &c);
        }
    }
}
