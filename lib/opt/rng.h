/* rng.h - the optimisers' random numbers: splitmix64 seeding, xoshiro256**, polar normals. */
#ifndef PD_OPT_RNG_H
#define PD_OPT_RNG_H

#include <math.h>
#include <stdint.h>

/*
 * Every optimiser draws from its own xoshiro256** stream seeded from the
 * user's --seed only, so a run depends on nothing but the seed and the
 * calls: not on the number of workers, hosts or threads.  Streams for
 * independent parts (islands, particles) come from pd_rng_seed() with
 * distinct seeds derived by pd_rng_derive().
 */
struct pd_rng {
	uint64_t s[4];
	int has_spare; /* a second polar deviate is kept */
	double spare;
};

static inline uint64_t pd_rng_rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

/* One step of splitmix64 (Steele, Lea, Flood): seeds and derived seeds. */
static inline uint64_t pd_splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* The next 64 bits of xoshiro256** (Blackman, Vigna). */
static inline uint64_t pd_rng_next64(uint64_t *s)
{
	uint64_t r = pd_rng_rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = pd_rng_rotl(s[3], 45);
	return r;
}

/* Seed a stream: four splitmix64 outputs from seed. */
static inline void pd_rng_seed(struct pd_rng *r, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = pd_splitmix64(&seed);
	r->has_spare = 0;
	r->spare = 0;
}

/* A seed for sub-stream k of seed (islands, particles). */
static inline uint64_t pd_rng_derive(uint64_t seed, uint64_t k)
{
	uint64_t s = seed ^ (0xd1b54a32d192ed03ULL * (k + 1));

	return pd_splitmix64(&s);
}

/* Uniform in [0, 1) with 53 random bits. */
static inline double pd_rng_unif(struct pd_rng *r) { return (double)(pd_rng_next64(r->s) >> 11) * 0x1.0p-53; }

/* Uniform integer in [0, n), n > 0 (Lemire's multiply, bias < 2^-32 for small n). */
static inline uint64_t pd_rng_below(struct pd_rng *r, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)pd_rng_next64(r->s) * n) >> 64);
}

/* Standard normal deviate, Marsaglia's polar method. */
static inline double pd_rng_gauss(struct pd_rng *r)
{
	double u, v, s, m;

	if (r->has_spare) {
		r->has_spare = 0;
		return r->spare;
	}
	do {
		u = 2 * pd_rng_unif(r) - 1;
		v = 2 * pd_rng_unif(r) - 1;
		s = u * u + v * v;
	} while (s >= 1 || s == 0);
	m = sqrt(-2 * log(s) / s);
	r->spare = v * m;
	r->has_spare = 1;
	return u * m;
}

#endif
