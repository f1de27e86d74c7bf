/* The CUDA kernels' arithmetic built for the host: the same element functions, one loop where the
 * device has one thread per element. Used by the test suite to prove the kernels equal the CPU twin. */
#include "kernels.cuh"

void tp_host_resample(const unsigned char *input, const unsigned char *stage1, const unsigned char *stage2,
                      unsigned char *dst, const tp_resample_pass *passes, int n_passes, const int *starts,
                      const int *lens, const int *weights) {
    for (int b = 0; b < n_passes; b++) {
        const tp_resample_pass *p = &passes[b];
        const unsigned char *src = tp_source(p->source, input, stage1, stage2);
        tp_i64 n = tp_resample_len(p);
        for (tp_i64 i = 0; i < n; i++) {
            dst[p->dst + i] = tp_resample_element(src, p, starts, lens, weights, i);
        }
    }
}

void tp_host_map_f32(const unsigned char *input, const unsigned char *stage1, const unsigned char *stage2,
                     float *dst, const tp_map_pass *maps, int n_maps, const float *luts) {
    for (int b = 0; b < n_maps; b++) {
        const tp_map_pass *m = &maps[b];
        const unsigned char *src = tp_source(m->source, input, stage1, stage2);
        tp_i64 n = tp_map_len(m);
        for (tp_i64 i = 0; i < n; i++) {
            dst[m->dst + i] = tp_map_f32_element(src, m, luts, i);
        }
    }
}

void tp_host_map_u8(const unsigned char *input, const unsigned char *stage1, const unsigned char *stage2,
                    unsigned char *dst, const tp_map_pass *maps, int n_maps) {
    for (int b = 0; b < n_maps; b++) {
        const tp_map_pass *m = &maps[b];
        const unsigned char *src = tp_source(m->source, input, stage1, stage2);
        tp_i64 n = tp_map_len(m);
        for (tp_i64 i = 0; i < n; i++) {
            int c;
            dst[m->dst + i] = tp_map_level(src, m, i, &c);
        }
    }
}
