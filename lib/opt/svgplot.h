/* svgplot.h - a convergence curve as a self-contained SVG file. */
#ifndef PD_OPT_SVGPLOT_H
#define PD_OPT_SVGPLOT_H

struct pd_buf;

/*
 * Append to out an SVG document plotting y against x (n points, x
 * increasing) as a line with axes, ticks and labels.  The y axis is
 * logarithmic when every y is positive and finite, linear otherwise
 * (non-finite points are skipped); the axis label says which.  Opens in
 * any browser; no script, no external resource.
 */
void pd_svg_plot(struct pd_buf *out, const double *x, const double *y, int n, const char *title,
		 const char *xlabel, const char *ylabel);

#endif
