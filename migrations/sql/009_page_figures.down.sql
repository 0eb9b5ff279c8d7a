DROP TABLE page_figures;
