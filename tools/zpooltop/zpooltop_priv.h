/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What the files of zpooltop's core share with one another and not with
 * the program: small helpers of the rows and the view, the names and the
 * order of the latency levels that all three output formats list, and the
 * table entry each modelled backend's file exports for --whatif.  The
 * public API is in zpooltop_core.h.
 */
#ifndef ZPOOLTOP_PRIV_H
#define ZPOOLTOP_PRIV_H

#include "zpooltop_core.h"

/*
 * A counter's growth per second; 0 before the first interval, and when the
 * counter went back (a pool id reused by a new pool), not a huge number.
 */
static inline double rate(__u64 now, __u64 prev, double interval_s)
{
	if (interval_s <= 0 || now < prev)
		return 0;
	return (double)(now - prev) / interval_s;
}

/* The system's ratio, meminfo's Zswapped over Zswap; 0 if the pools hold nothing. */
static inline double system_ratio(const struct zpt_totals *t)
{
	return t->zswap_bytes ? (double)t->zswapped_bytes / (double)t->zswap_bytes : 0;
}

/* Each latency level: its name in JSON, metrics and --hist, and what it is. */
struct zpt_hist_name {
	const char *name;
	const char *what;
};

extern const struct zpt_hist_name zpt_hist_names[ZP_NR_HISTS];
/* The order in which --hist, JSON and the metrics list the levels. */
extern const enum zp_hist_kind zpt_hist_order[ZP_NR_HISTS];

/* Whether a latency level was measured: the map levels only with -w. */
static inline bool level_measured(const struct zpt_view *v, enum zp_hist_kind k)
{
	return v->waits || (k != ZP_HIST_MAP_WAIT && k != ZP_HIST_MAP_HOLD);
}

/*
 * A backend --whatif has a packing model of.  Each is in a file of its
 * own, which exports its entry; zpooltop_model.c lists them by enum
 * zpt_backend.
 */
struct zpt_model {
	const char *name;		/* a pool's type, as zswap names it */
	unsigned int zswap_header;	/* see zpt_backend_zswap_header() */
	/* The pages a pool of this backend needs for the objects of @s. */
	__u64 (*pages)(const struct zpt_models *m, const struct zpt_sizes *s);
};

extern const struct zpt_model zpt_zsmalloc_model;
extern const struct zpt_model zpt_zbud_model;

#endif /* ZPOOLTOP_PRIV_H */
