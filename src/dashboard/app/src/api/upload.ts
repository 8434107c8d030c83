import { ApiError, faultMessage } from './http.js';

/**
 * PUT a file's bytes with upload progress (fetch reports none): Glance's image data upload.
 * `onProgress` gets the fraction sent, 0 to 1.
 */
export function uploadWithProgress(url: string, token: string, file: Blob, onProgress: (fraction: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    xhr.setRequestHeader('x-auth-token', token);
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve();
      else reject(new ApiError(xhr.status, faultMessage(xhr.status, xhr.responseText)));
    };
    xhr.onerror = () => reject(new Error('The upload was interrupted'));
    xhr.send(file);
  });
}
