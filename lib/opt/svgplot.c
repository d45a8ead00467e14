/* svgplot.c - drawing a convergence curve as SVG. */
#include "opt/svgplot.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"

#define W 720
#define H 450
#define LEFT 80
#define RIGHT 20
#define TOP 40
#define BOTTOM 60

/* The plotting window: data ranges and whether y is logarithmic. */
struct frame {
	double x0, x1, y0, y1;
	int logy;
};

/* y as drawn: its log10 on a log axis. */
static double ty(const struct frame *f, double y) { return f->logy ? log10(y) : y; }

static double px(const struct frame *f, double x)
{
	return LEFT + (x - f->x0) / (f->x1 - f->x0) * (W - LEFT - RIGHT);
}

static double py(const struct frame *f, double y)
{
	return H - BOTTOM - (ty(f, y) - f->y0) / (f->y1 - f->y0) * (H - TOP - BOTTOM);
}

/* Text with &, < and > escaped. */
static void add_text(struct pd_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '&')
			pd_buf_adds(b, "&amp;");
		else if (*s == '<')
			pd_buf_adds(b, "&lt;");
		else if (*s == '>')
			pd_buf_adds(b, "&gt;");
		else
			pd_buf_addc(b, *s);
	}
}

/* Ranges of the finite points; 0 when there is none. */
static int find_frame(struct frame *f, const double *x, const double *y, int n)
{
	int i, k = 0;

	f->x0 = f->x1 = f->y0 = f->y1 = 0;
	f->logy = 1;
	for (i = 0; i < n; i++)
		if (isfinite(y[i]) && y[i] <= 0)
			f->logy = 0;
	for (i = 0; i < n; i++) {
		if (!isfinite(y[i]) || !isfinite(x[i]))
			continue;
		if (!k++) {
			f->x0 = f->x1 = x[i];
			f->y0 = f->y1 = ty(f, y[i]);
		}
		f->x0 = fmin(f->x0, x[i]), f->x1 = fmax(f->x1, x[i]);
		f->y0 = fmin(f->y0, ty(f, y[i])), f->y1 = fmax(f->y1, ty(f, y[i]));
	}
	if (f->logy)
		f->y0 = floor(f->y0), f->y1 = ceil(f->y1);
	if (f->x1 <= f->x0)
		f->x1 = f->x0 + 1;
	if (f->y1 <= f->y0)
		f->y1 = f->y0 + 1;
	return k;
}

/* Axes, ticks and labels. */
static void draw_axes(struct pd_buf *b, const struct frame *f, const char *xlabel, const char *ylabel)
{
	double v, step = f->logy ? ceil((f->y1 - f->y0) / 10) : (f->y1 - f->y0) / 5;
	int i;

	pd_buf_addf(b, "<rect x='%d' y='%d' width='%d' height='%d' fill='none' stroke='#444'/>\n", LEFT, TOP,
		    W - LEFT - RIGHT, H - TOP - BOTTOM);
	for (v = f->y0; v <= f->y1 + 1e-9 * step; v += step) {
		double y = H - BOTTOM - (v - f->y0) / (f->y1 - f->y0) * (H - TOP - BOTTOM);

		pd_buf_addf(b, "<line x1='%d' x2='%d' y1='%.1f' y2='%.1f' stroke='#ddd'/>\n", LEFT, W - RIGHT, y, y);
		if (f->logy)
			pd_buf_addf(b, "<text x='%d' y='%.1f' text-anchor='end' font-size='12'>1e%d</text>\n", LEFT - 6,
				    y + 4, (int)lround(v));
		else
			pd_buf_addf(b, "<text x='%d' y='%.1f' text-anchor='end' font-size='12'>%.3g</text>\n", LEFT - 6,
				    y + 4, v);
	}
	for (i = 0; i <= 5; i++) {
		double xv = f->x0 + (f->x1 - f->x0) * i / 5, x = px(f, xv);

		pd_buf_addf(b, "<text x='%.1f' y='%d' text-anchor='middle' font-size='12'>%.4g</text>\n", x,
			    H - BOTTOM + 18, xv);
	}
	pd_buf_addf(b, "<text x='%d' y='%d' text-anchor='middle' font-size='13'>", (W + LEFT) / 2, H - 15);
	add_text(b, xlabel);
	pd_buf_addf(b, "</text>\n<text x='18' y='%d' text-anchor='middle' font-size='13' transform='rotate(-90 18 %d)'>",
		    H / 2, H / 2);
	add_text(b, ylabel);
	pd_buf_adds(b, f->logy ? " (log scale)" : " (linear scale)");
	pd_buf_adds(b, "</text>\n");
}

void pd_svg_plot(struct pd_buf *out, const double *x, const double *y, int n, const char *title,
		 const char *xlabel, const char *ylabel)
{
	struct frame f;
	int i, k;

	pd_buf_addf(out, "<?xml version='1.0' encoding='UTF-8'?>\n<svg xmlns='http://www.w3.org/2000/svg' "
			 "width='%d' height='%d' viewBox='0 0 %d %d' font-family='sans-serif'>\n", W, H, W, H);
	pd_buf_addf(out, "<rect width='%d' height='%d' fill='white'/>\n<text x='%d' y='24' text-anchor='middle' "
			 "font-size='15'>", W, H, W / 2);
	add_text(out, title);
	pd_buf_adds(out, "</text>\n");
	if (find_frame(&f, x, y, n)) {
		draw_axes(out, &f, xlabel, ylabel);
		pd_buf_adds(out, "<polyline fill='none' stroke='#1f77b4' stroke-width='2' points='");
		for (i = 0, k = 0; i < n; i++)
			if (isfinite(y[i]) && isfinite(x[i]))
				pd_buf_addf(out, "%s%.1f,%.1f", k++ ? " " : "", px(&f, x[i]), py(&f, y[i]));
		pd_buf_adds(out, "'/>\n");
	} else
		pd_buf_addf(out, "<text x='%d' y='%d' text-anchor='middle'>no finite value to plot</text>\n", W / 2, H / 2);
	pd_buf_adds(out, "</svg>\n");
}
