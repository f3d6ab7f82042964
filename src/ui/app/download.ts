/**
 * Saves text as a file the person downloads. Must run inside a user gesture's handler (a click),
 * or the browser may block the download.
 */
export function downloadText(fileName: string, text: string, type = 'application/json'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  // Firefox used to ignore clicks on links outside the document; attaching it briefly is harmless.
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  // The download reads the blob asynchronously: revoking in the same task can cancel it in some
  // browsers, so give it a moment before freeing the memory.
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
