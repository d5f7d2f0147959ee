"""Tips and complaints (tin báo, tố giác, khiếu nại): intake, handling deadline, closure."""
