export const renderHtml = (..._a: unknown[]) => "<html></html>";
